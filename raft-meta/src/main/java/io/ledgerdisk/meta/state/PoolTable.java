package io.ledgerdisk.meta.state;

import io.ledgerdisk.meta.MetaException;
import io.ledgerdisk.meta.NodeRecord;
import io.ledgerdisk.meta.PgRecord;
import io.ledgerdisk.meta.PoolRecord;
import io.ledgerdisk.meta.placement.NodeSpec;
import io.ledgerdisk.meta.placement.Placement;
import io.ledgerdisk.meta.placement.PlacementEngine;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Pools and their PG maps. A PG map changes only through {@link #rebalance} (placement over the
 * alive, weighted nodes) and {@link #failOver} (the next node of a PG's list becomes primary);
 * every change bumps the PG's epoch and remembers the previous node list. Not thread-safe.
 */
public final class PoolTable {

    /** Upper bound on PGs per pool, to keep a PG map within a Raft entry and a snapshot. */
    public static final int MAX_PGS = 1 << 16;

    private final TreeMap<String, PoolRecord> pools = new TreeMap<>();
    private final TreeMap<String, PgRecord[]> pgMaps = new TreeMap<>();

    /** An empty table. */
    public PoolTable() {
    }

    /** A table restored from a snapshot. */
    public PoolTable(List<PoolRecord> restoredPools, List<PgRecord> restoredPgs) {
        for (PoolRecord pool : restoredPools) {
            pools.put(pool.name(), pool);
            pgMaps.put(pool.name(), emptyMap(pool));
        }
        for (PgRecord pg : restoredPgs) {
            PgRecord[] map = pgMaps.get(pg.pool());
            if (map == null || pg.pg() < 0 || pg.pg() >= map.length) {
                throw new IllegalArgumentException("snapshot PG " + pg.pool() + "/" + pg.pg() + " has no pool slot");
            }
            map[pg.pg()] = pg;
        }
    }

    /** Creates a pool; creating an identical pool again is a no-op. Its PGs are unplaced until a rebalance. */
    public PoolRecord create(PoolRecord pool) {
        if (pool == null) {
            throw new MetaException(MetaException.Code.INVALID_ARGUMENT, "create pool: no pool given");
        }
        check(pool);
        PoolRecord existing = pools.get(pool.name());
        if (existing != null) {
            if (existing.equals(pool)) {
                return existing;
            }
            throw new MetaException(MetaException.Code.ALREADY_EXISTS, "pool '" + pool.name() + "' already exists as " + existing);
        }
        pools.put(pool.name(), pool);
        pgMaps.put(pool.name(), emptyMap(pool));
        return pool;
    }

    /** Deletes a pool and its PG map; the caller checks that no volume is in it. */
    public PoolRecord delete(String name) {
        PoolRecord pool = require(name);
        pools.remove(name);
        pgMaps.remove(name);
        return pool;
    }

    private static void check(PoolRecord pool) {
        VolumeRules.checkName("pool name", pool.name());
        if (pool.ackQuorum() < 1 || pool.ackQuorum() > pool.writeQuorum() || pool.writeQuorum() > pool.ensemble()) {
            throw invalid(pool, "need 1 <= Qa <= Qw <= E, got E=" + pool.ensemble() + " Qw=" + pool.writeQuorum()
                    + " Qa=" + pool.ackQuorum());
        }
        if (pool.pgCount() < 1 || pool.pgCount() > MAX_PGS) {
            throw invalid(pool, "pg count must be 1.." + MAX_PGS + ", got " + pool.pgCount());
        }
        if (pool.failureDomainLevel().isBlank()) {
            throw invalid(pool, "failure-domain level must not be blank");
        }
        boolean hasBucket = pool.s3Bucket() != null && !pool.s3Bucket().isBlank();
        if ((pool.chunkTier() == PoolRecord.ChunkTier.S3) != hasBucket) {
            throw invalid(pool, "an S3 chunk tier needs a bucket and a local one must not name one");
        }
        if (pool.retentionMicros() < 0) {
            throw invalid(pool, "retention must not be negative");
        }
    }

    private static MetaException invalid(PoolRecord pool, String why) {
        return new MetaException(MetaException.Code.INVALID_ARGUMENT, "pool '" + pool.name() + "': " + why);
    }

    /**
     * Places the pool's PGs on the alive nodes with weight, moving as few copies as possible.
     *
     * @return the PGs whose node list changed
     */
    public List<PgRecord> rebalance(String poolName, List<NodeRecord> nodes) {
        PoolRecord pool = require(poolName);
        List<NodeSpec> specs = new ArrayList<>();
        Set<String> domains = new HashSet<>();
        for (NodeRecord node : nodes) {
            if (node.alive() && node.weight() > 0) {
                String domain = node.failureDomain(pool.failureDomainLevel());
                specs.add(new NodeSpec(node.id(), domain, node.weight()));
                domains.add(domain);
            }
        }
        if (domains.size() < pool.ensemble()) {
            throw new MetaException(MetaException.Code.INVALID_ARGUMENT, "pool '" + poolName + "' needs alive, weighted nodes in "
                    + pool.ensemble() + " failure domains at level '" + pool.failureDomainLevel() + "', found " + domains.size());
        }
        PgRecord[] map = pgMaps.get(poolName);
        List<List<String>> current = new ArrayList<>(map.length);
        for (PgRecord pg : map) {
            current.add(pg.nodes());
        }
        Placement placement = PlacementEngine.place(specs, pool.pgCount(), pool.ensemble(), new Placement(current));
        List<PgRecord> changed = new ArrayList<>();
        for (int pg = 0; pg < map.length; pg++) {
            List<String> nodesNow = placement.nodes(pg);
            if (!nodesNow.equals(map[pg].nodes())) {
                map[pg] = advance(map[pg], nodesNow);
                changed.add(map[pg]);
            }
        }
        return changed;
    }

    /**
     * Moves every PG whose primary is one of {@code downNodes} to the next node of its list that
     * is not down (the down nodes go to the end, in order).
     *
     * @return the PGs that changed
     */
    public List<PgRecord> failOver(Set<String> downNodes) {
        List<PgRecord> changed = new ArrayList<>();
        if (downNodes.isEmpty()) {
            return changed;
        }
        for (PgRecord[] map : pgMaps.values()) {
            for (int pg = 0; pg < map.length; pg++) {
                List<String> nodes = map[pg].nodes();
                if (nodes.isEmpty() || !downNodes.contains(nodes.get(0))) {
                    continue;
                }
                List<String> reordered = new ArrayList<>(nodes.size());
                nodes.stream().filter(n -> !downNodes.contains(n)).forEach(reordered::add);
                if (reordered.isEmpty()) {
                    continue; // every node of the PG is down: nothing better to offer
                }
                nodes.stream().filter(downNodes::contains).forEach(reordered::add);
                map[pg] = advance(map[pg], reordered);
                changed.add(map[pg]);
            }
        }
        return changed;
    }

    private static PgRecord advance(PgRecord pg, List<String> nodes) {
        List<List<String>> previous = new ArrayList<>();
        if (!pg.nodes().isEmpty()) {
            previous.add(pg.nodes());
        }
        previous.addAll(pg.previous());
        return new PgRecord(pg.pool(), pg.pg(), nodes, pg.epoch() + 1,
                previous.subList(0, Math.min(PgRecord.HISTORY, previous.size())));
    }

    /** The pool with this name, if any. */
    public Optional<PoolRecord> byName(String name) {
        return Optional.ofNullable(pools.get(name));
    }

    /** The pool with this name, or NOT_FOUND. */
    public PoolRecord require(String name) {
        PoolRecord pool = pools.get(name);
        if (pool == null) {
            throw new MetaException(MetaException.Code.NOT_FOUND, "pool '" + name + "' does not exist");
        }
        return pool;
    }

    /** Every pool, ordered by name. */
    public List<PoolRecord> list() {
        return List.copyOf(pools.values());
    }

    /** The PG map of a pool, by PG number. */
    public List<PgRecord> pgMap(String poolName) {
        require(poolName);
        return List.of(pgMaps.get(poolName));
    }

    /** Every PG of every pool, ordered by pool then PG. */
    public List<PgRecord> allPgs() {
        List<PgRecord> all = new ArrayList<>();
        pgMaps.values().forEach(map -> all.addAll(List.of(map)));
        return all;
    }

    private static PgRecord[] emptyMap(PoolRecord pool) {
        PgRecord[] map = new PgRecord[pool.pgCount()];
        for (int pg = 0; pg < map.length; pg++) {
            map[pg] = new PgRecord(pool.name(), pg, List.of(), 0, List.of());
        }
        return map;
    }
}
