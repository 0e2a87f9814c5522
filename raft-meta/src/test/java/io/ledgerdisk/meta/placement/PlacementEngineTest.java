package io.ledgerdisk.meta.placement;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Properties of the placement engine over random clusters of up to 500 nodes. */
class PlacementEngineTest {

    private static final int REPLICAS = 3;

    /** A random cluster on which a placement with uniformity >= 0.96 exists. */
    private record Cluster(List<NodeSpec> nodes, int pgCount) {
    }

    private static Cluster randomFeasibleCluster(Random random) {
        while (true) {
            int n = 3 + random.nextInt(498);
            int domains = REPLICAS + random.nextInt(Math.min(n, 60) - REPLICAS + 1);
            boolean weighted = random.nextBoolean();
            List<NodeSpec> nodes = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                double weight = weighted ? 0.5 + 1.5 * random.nextDouble() : 1.0;
                nodes.add(new NodeSpec("n" + i, "d" + random.nextInt(domains), weight));
            }
            if (feasible(nodes)) {
                // Enough PGs that the lightest node's share is at least 30 copies: integral loads then
                // allow 30/31 > 0.96 uniformity.
                double total = nodes.stream().mapToDouble(NodeSpec::weight).sum();
                double min = nodes.stream().mapToDouble(NodeSpec::weight).min().orElseThrow();
                int pgCount = (int) Math.ceil(30 * total / (REPLICAS * min));
                return new Cluster(nodes, pgCount);
            }
        }
    }

    /** No failure domain may need to hold more than one copy of a PG: its weight share is at most 1/R. */
    private static boolean feasible(List<NodeSpec> nodes) {
        Map<String, Double> perDomain = new java.util.HashMap<>();
        double total = 0;
        for (NodeSpec node : nodes) {
            perDomain.merge(node.failureDomain(), node.weight(), Double::sum);
            total += node.weight();
        }
        double limit = total / REPLICAS;
        return perDomain.size() >= REPLICAS && perDomain.values().stream().allMatch(w -> w <= limit * 0.98);
    }

    private static void assertValid(Placement placement, List<NodeSpec> nodes, int pgCount, String context) {
        assertEquals(pgCount, placement.pgCount(), context);
        Set<String> ids = new HashSet<>();
        nodes.forEach(n -> ids.add(n.id()));
        for (List<String> pg : placement.pgs()) {
            assertEquals(REPLICAS, pg.size(), context);
            assertEquals(REPLICAS, new HashSet<>(pg).size(), context);
            assertTrue(ids.containsAll(pg), context);
        }
        PlacementQuality quality = PlacementQuality.of(placement, nodes);
        assertEquals(0, quality.domainViolations(), context);
        assertTrue(quality.uniformity() >= 0.96, context + ": uniformity " + quality.uniformity());
    }

    @Test
    void placesRandomFeasibleClustersUniformlyAcrossDomains() {
        Random random = new Random(11);
        for (int round = 0; round < 25; round++) {
            Cluster cluster = randomFeasibleCluster(random);
            Placement placement = PlacementEngine.place(cluster.nodes(), cluster.pgCount(), REPLICAS, null);
            assertValid(placement, cluster.nodes(), cluster.pgCount(),
                    "round " + round + ", " + cluster.nodes().size() + " nodes, " + cluster.pgCount() + " PGs");
        }
    }

    @Test
    void changesMoveCloseToTheLowerBound() {
        Random random = new Random(12);
        for (int round = 0; round < 20; round++) {
            Cluster cluster = randomFeasibleCluster(random);
            Placement before = PlacementEngine.place(cluster.nodes(), cluster.pgCount(), REPLICAS, null);
            List<NodeSpec> changed = change(cluster.nodes(), random, round % 3);
            if (!feasible(changed)) {
                continue;
            }
            Placement after = PlacementEngine.place(changed, cluster.pgCount(), REPLICAS, before);
            String context = "round " + round + " (change " + round % 3 + "), " + changed.size() + " nodes";
            PlacementQuality quality = PlacementQuality.of(after, changed);
            assertEquals(0, quality.domainViolations(), context);
            long moved = after.movedCopies(before);
            long bound = PlacementEngine.minimumMoves(changed, cluster.pgCount(), REPLICAS, before);
            assertTrue(moved >= bound, context + ": moved " + moved + " below the bound " + bound);
            assertTrue(moved <= Math.ceil(1.25 * bound), context + ": moved " + moved + ", bound " + bound);
            // Integral loads after a change are at least as fine as the original cluster's, but the
            // lightest node may now hold fewer than 30 copies; require the bound the caps guarantee.
            assertTrue(quality.uniformity() >= 0.95, context + ": uniformity " + quality.uniformity());
        }
    }

    /** 0: remove nodes, 1: add nodes (some to new domains), 2: reweight nodes. */
    private static List<NodeSpec> change(List<NodeSpec> nodes, Random random, int kind) {
        List<NodeSpec> changed = new ArrayList<>(nodes);
        int count = 1 + random.nextInt(Math.max(1, nodes.size() / 10));
        for (int k = 0; k < count; k++) {
            switch (kind) {
                case 0 -> {
                    if (changed.size() > REPLICAS + 1) {
                        changed.remove(random.nextInt(changed.size()));
                    }
                }
                case 1 -> changed.add(new NodeSpec("new" + k, nodes.get(random.nextInt(nodes.size())).failureDomain(),
                        0.5 + random.nextDouble()));
                default -> {
                    int i = random.nextInt(changed.size());
                    NodeSpec node = changed.get(i);
                    changed.set(i, new NodeSpec(node.id(), node.failureDomain(), node.weight() * (0.7 + 0.6 * random.nextDouble())));
                }
            }
        }
        return changed;
    }

    @Test
    void isDeterministicAndStableWhenNothingChanges() {
        Cluster cluster = randomFeasibleCluster(new Random(13));
        Placement first = PlacementEngine.place(cluster.nodes(), cluster.pgCount(), REPLICAS, null);
        assertEquals(first, PlacementEngine.place(List.copyOf(cluster.nodes()), cluster.pgCount(), REPLICAS, null));
        Placement again = PlacementEngine.place(cluster.nodes(), cluster.pgCount(), REPLICAS, first);
        assertEquals(first, again, "an unchanged cluster keeps every copy and every primary");
        assertEquals(0, PlacementEngine.minimumMoves(cluster.nodes(), cluster.pgCount(), REPLICAS, first));
    }

    @Test
    void spreadsPrimariesByWeight() {
        List<NodeSpec> nodes = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            nodes.add(new NodeSpec("n" + i, "d" + i % 6, i < 10 ? 2.0 : 1.0));
        }
        Placement placement = PlacementEngine.place(nodes, 1200, REPLICAS, null);
        int[] primaries = new int[30];
        for (List<String> pg : placement.pgs()) {
            primaries[Integer.parseInt(pg.get(0).substring(1))]++;
        }
        // 1200 primaries over total weight 40: 60 per heavy node, 30 per light one.
        for (int i = 0; i < 30; i++) {
            assertEquals(i < 10 ? 60 : 30, primaries[i], 1, "primaries of n" + i);
        }
    }

    @Test
    void drainsZeroWeightNodesAndKeepsDomainCapsWhenTheyBind() {
        List<NodeSpec> nodes = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            nodes.add(new NodeSpec("n" + i, "d" + i % 3, 1.0));
        }
        Placement before = PlacementEngine.place(nodes, 300, REPLICAS, null);
        nodes.set(0, new NodeSpec("n0", "d0", 0.0));
        Placement after = PlacementEngine.place(nodes, 300, REPLICAS, before);
        PlacementQuality quality = PlacementQuality.of(after, nodes);
        assertEquals(0, quality.loads().get("n0"));
        assertEquals(0, quality.domainViolations());
        // Domain d0 must still hold one copy of every PG, on its three remaining nodes.
        assertEquals(300, quality.loads().get("n3") + quality.loads().get("n6") + quality.loads().get("n9"));
        assertEquals(PlacementEngine.minimumMoves(nodes, 300, REPLICAS, before), after.movedCopies(before));
    }

    @Test
    void refusesClustersWithTooFewDomains() {
        List<NodeSpec> nodes = List.of(new NodeSpec("a", "x", 1), new NodeSpec("b", "x", 1), new NodeSpec("c", "y", 1));
        assertThrows(IllegalArgumentException.class, () -> PlacementEngine.place(nodes, 10, REPLICAS, null));
        assertThrows(IllegalArgumentException.class, () -> new NodeSpec("a", "x", -1));
    }

    @Test
    void simulatorReportsItsFiguresAsJson() {
        SimulationReport report = PlacementSimulator.simulate(60, 6, 2048, REPLICAS, 3, null, 5);
        assertEquals(57, report.loads().size());
        assertTrue(report.uniformity() >= 0.96, report.toReport());
        assertEquals(0, report.domainViolations());
        assertTrue(report.movedPgs() >= report.optimalMovedPgs() && report.movedPgs() <= 1.25 * report.optimalMovedPgs());
        assertTrue(report.toJson().matches("\\{\"uniformity\": 0\\.\\d{4}, \"domain_violations\": 0, \"moved_pgs\": \\d+, "
                + "\"optimal_moved_pgs\": \\d+, \"millis\": \\d+}"), report.toJson());
        assertTrue(report.toReport().contains("uniformity"));
    }
}
