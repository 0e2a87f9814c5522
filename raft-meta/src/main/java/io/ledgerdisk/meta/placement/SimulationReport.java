package io.ledgerdisk.meta.placement;

import java.util.Locale;
import java.util.Map;

/**
 * The outcome of {@link PlacementSimulator#simulate}.
 *
 * @param uniformity       of the final placement: (total copies / total weight) / max(copies / weight)
 * @param domainViolations PGs of the final placement with two copies in one failure domain
 * @param movedPgs         PG copies created on a new node by the rebalance after the removal
 * @param optimalMovedPgs  the lower bound on such copies ({@link PlacementEngine#minimumMoves})
 * @param millis           time spent computing placements (initial and rebalance)
 * @param loads            copies per node of the final placement
 */
public record SimulationReport(double uniformity, long domainViolations, long movedPgs, long optimalMovedPgs,
                               long millis, Map<String, Integer> loads) {

    /** One JSON line: {@code {"uniformity": …, "domain_violations": …, "moved_pgs": …, "optimal_moved_pgs": …, "millis": …}}. */
    public String toJson() {
        return String.format(Locale.ROOT,
                "{\"uniformity\": %.4f, \"domain_violations\": %d, \"moved_pgs\": %d, \"optimal_moved_pgs\": %d, \"millis\": %d}",
                uniformity, domainViolations, movedPgs, optimalMovedPgs, millis);
    }

    /** A few lines for a person. */
    public String toReport() {
        int min = loads.values().stream().mapToInt(Integer::intValue).min().orElse(0);
        int max = loads.values().stream().mapToInt(Integer::intValue).max().orElse(0);
        String moves = optimalMovedPgs == 0 ? movedPgs + " (lower bound 0)"
                : String.format(Locale.ROOT, "%d (lower bound %d, ratio %.3f)", movedPgs, optimalMovedPgs,
                        (double) movedPgs / optimalMovedPgs);
        return String.format(Locale.ROOT,
                "placement of %d nodes: uniformity %.2f%%, copies per node %d..%d%n"
                        + "failure-domain violations: %d%n"
                        + "copies moved by the rebalance: %s%n"
                        + "placement time: %d ms%n",
                loads.size(), uniformity * 100, min, max, domainViolations, moves, millis);
    }
}
