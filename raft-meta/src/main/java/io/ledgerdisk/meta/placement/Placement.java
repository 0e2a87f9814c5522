package io.ledgerdisk.meta.placement;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The nodes of every PG of a pool, primary first. Immutable.
 */
public final class Placement {

    private final List<List<String>> pgs;

    /** A placement from per-PG node lists (primary first). */
    public Placement(List<List<String>> pgs) {
        List<List<String>> copy = new ArrayList<>(pgs.size());
        for (List<String> nodes : pgs) {
            copy.add(List.copyOf(nodes));
        }
        this.pgs = List.copyOf(copy);
    }

    /** The number of PGs. */
    public int pgCount() {
        return pgs.size();
    }

    /** The nodes holding a PG, primary first. */
    public List<String> nodes(int pg) {
        return pgs.get(pg);
    }

    /** Every PG's node list, indexed by PG number. */
    public List<List<String>> pgs() {
        return pgs;
    }

    /** Copies per node id (nodes without copies are absent), ordered by id. */
    public Map<String, Integer> loads() {
        Map<String, Integer> loads = new TreeMap<>();
        for (List<String> nodes : pgs) {
            for (String node : nodes) {
                loads.merge(node, 1, Integer::sum);
            }
        }
        return loads;
    }

    /**
     * The copies that had to be created to go from {@code previous} to this placement: for each
     * PG, the nodes it has now that it did not have before. A PG beyond the previous count
     * counts all its copies.
     */
    public long movedCopies(Placement previous) {
        long moved = 0;
        for (int pg = 0; pg < pgs.size(); pg++) {
            Set<String> before = pg < previous.pgCount() ? new HashSet<>(previous.nodes(pg)) : Set.of();
            for (String node : pgs.get(pg)) {
                if (!before.contains(node)) {
                    moved++;
                }
            }
        }
        return moved;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Placement other && pgs.equals(other.pgs);
    }

    @Override
    public int hashCode() {
        return pgs.hashCode();
    }

    @Override
    public String toString() {
        return "Placement" + Arrays.toString(pgs.subList(0, Math.min(4, pgs.size())).toArray())
                + (pgs.size() > 4 ? "... (" + pgs.size() + " PGs)" : "");
    }
}
