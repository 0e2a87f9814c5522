package io.ledgerdisk.meta.placement;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Places PGs on a synthetic cluster, removes some nodes, rebalances, and reports uniformity
 * and moved copies. The appliance CLI exposes it so operators can size pools.
 */
public final class PlacementSimulator {

    private PlacementSimulator() {
    }

    /**
     * Runs one simulation.
     *
     * @param nodes    cluster size; node i is {@code node-i} in failure domain {@code domain-(i % domains)}
     * @param domains  number of failure domains, at least {@code replicas}
     * @param pgCount  PGs in the pool
     * @param replicas copies per PG
     * @param remove   nodes removed (chosen with {@code seed}) before the rebalance; 0 for none
     * @param weights  node weights, or null for all 1.0
     * @param seed     chooses the removed nodes
     */
    public static SimulationReport simulate(int nodes, int domains, int pgCount, int replicas, int remove,
                                            double[] weights, long seed) {
        if (nodes < 1 || domains < 1 || domains > nodes) {
            throw new IllegalArgumentException("need 1 <= domains <= nodes, got " + domains + " domains and " + nodes + " nodes");
        }
        if (remove < 0 || remove >= nodes) {
            throw new IllegalArgumentException("can remove 0.." + (nodes - 1) + " nodes, not " + remove);
        }
        if (weights != null && weights.length != nodes) {
            throw new IllegalArgumentException(weights.length + " weights given for " + nodes + " nodes");
        }
        List<NodeSpec> cluster = new ArrayList<>(nodes);
        for (int i = 0; i < nodes; i++) {
            cluster.add(new NodeSpec("node-" + i, "domain-" + (i % domains), weights == null ? 1.0 : weights[i]));
        }
        long started = System.nanoTime();
        Placement initial = PlacementEngine.place(cluster, pgCount, replicas, null);
        long elapsed = System.nanoTime() - started;
        if (remove == 0) {
            PlacementQuality quality = PlacementQuality.of(initial, cluster);
            return new SimulationReport(quality.uniformity(), quality.domainViolations(), 0, 0,
                    elapsed / 1_000_000, quality.loads());
        }
        List<NodeSpec> remaining = new ArrayList<>(cluster);
        Random random = new Random(seed);
        for (int k = 0; k < remove; k++) {
            remaining.remove(random.nextInt(remaining.size()));
        }
        started = System.nanoTime();
        Placement rebalanced = PlacementEngine.place(remaining, pgCount, replicas, initial);
        elapsed += System.nanoTime() - started;
        PlacementQuality quality = PlacementQuality.of(rebalanced, remaining);
        return new SimulationReport(quality.uniformity(), quality.domainViolations(), rebalanced.movedCopies(initial),
                PlacementEngine.minimumMoves(remaining, pgCount, replicas, initial), elapsed / 1_000_000, quality.loads());
    }
}
