package io.ledgerdisk.meta.placement;

import java.util.List;

/**
 * Places each PG's copies on nodes: in proportion to weight (every node within the most
 * uniform integral cap, see {@link LoadTargets}), never two copies of a PG in one failure
 * domain, and, given the previous placement, keeping every copy that may stay. Deterministic:
 * the same inputs give the same placement on every peer. Stateless and thread-safe.
 */
public final class PlacementEngine {

    private PlacementEngine() {
    }

    /**
     * Places {@code pgCount} PGs of {@code replicas} copies.
     *
     * @param previous the current placement to move as little as possible from, or null
     * @throws IllegalArgumentException if fewer than {@code replicas} failure domains have weight
     */
    public static Placement place(List<NodeSpec> nodes, int pgCount, int replicas, Placement previous) {
        return new PlacementRun(nodes, pgCount, replicas).place(previous);
    }

    /**
     * A lower bound on the copies any placement as uniform as {@link #place}'s must create when
     * moving from {@code previous} to these nodes: the copies that lost their node (or their
     * distinct domain) plus the copies above each remaining node's cap.
     */
    public static long minimumMoves(List<NodeSpec> nodes, int pgCount, int replicas, Placement previous) {
        return new PlacementRun(nodes, pgCount, replicas).minimumMoves(previous);
    }
}
