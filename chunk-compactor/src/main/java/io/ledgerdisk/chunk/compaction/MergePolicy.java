package io.ledgerdisk.chunk.compaction;

import io.ledgerdisk.chunk.extent.Extent;
import io.ledgerdisk.chunk.extent.ExtentMap;
import io.ledgerdisk.chunk.format.ChunkFormat;
import io.ledgerdisk.chunk.manifest.ChunkDescriptor;
import io.ledgerdisk.chunk.manifest.Manifest;
import io.ledgerdisk.chunk.store.ChunkId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Decides what one merge pass rewrites, and whether one is due at all. A pass runs only when a
 * trigger is crossed, and then rewrites only as much as brings the volume back under it:
 *
 * <ol>
 *   <li><b>Space</b>: the chunks' stored data blocks exceed
 *       {@link CompactionConfig#maxSpaceAmplification()} × the live blocks (summed over the
 *       volume, not per chunk). Victims are the chunks with the highest garbage ratio (dead blocks
 *       ÷ stored blocks), as a log-structured file system's cleaner picks segments; only their
 *       live blocks are copied, and only until the sum is under the bound again. While the sum is
 *       over 1.5×, the greediest victim is at least ⅓ dead, so cleaning copies at most 2 live
 *       blocks per dead block it frees.
 *   <li><b>Extent map</b>: the map's heap passes its budget
 *       ({@link CompactionConfig#extentMapBytesPerTiB()} of the mapped span, at least
 *       {@link #MIN_EXTENT_MAP_BUDGET}). The map is exact (one extent per run of blocks in one
 *       chunk), so each scattered small overwrite costs two extents, and the only way to shed
 *       them is to copy runs so that neighbours land side by side in one new chunk. The pass
 *       picks the cheapest heap reduction per block copied: closing the short runs between
 *       neighbouring pieces (a run of g blocks between two small overwrites costs g + 2 blocks
 *       and removes 2 extents), and emptying nearly dead chunks (each chunk a map references
 *       costs {@value ExtentMap#BYTES_PER_CHUNK} bytes of it). It stops as soon as the
 *       estimate is under the budget. Rewriting whole address regions instead, as the merger
 *       once did, copies every block of a region to shed a few extents: on scattered 4 KiB
 *       overwrites that cost about 20 chunk bytes per client byte.
 *   <li><b>Small chunks</b>, tiered: chunks with fewer live blocks than
 *       {@link CompactionConfig#smallChunkFraction()} of the target are merged together once
 *       they hold a small chunk's worth between them or there are {@link #MAX_SMALL_CHUNKS} of
 *       them, so a block in a small chunk is copied a few times at most, not once per fold.
 * </ol>
 *
 * <p>Every pass copies at most {@link CompactionConfig#maxMergeBytes()} of live data. What holds
 * <em>after a merge</em>, meaning once {@link #plan} returns nothing (a caller runs passes until
 * then): stored data blocks ≤ maxSpaceAmplification × live blocks; the extent map's
 * {@link ExtentMap#heapBytesEstimate()} ≤ its budget; fewer than {@link #MAX_SMALL_CHUNKS} small
 * chunks with under a small chunk's worth of live data between them. A block read resolves
 * through the map to exactly one chunk at all times, before and after merging; merging is what
 * keeps the map that makes this so within its heap budget.
 *
 * <p>Newest-sequence-wins is untouched: a pass copies what the manifest maps now, block for
 * block. Stateless and thread-safe.
 */
public final class MergePolicy {
    /** Smallest extent map budget: tiny volumes are never defragmented for a few hundred bytes. */
    public static final long MIN_EXTENT_MAP_BUDGET = 64 * 1024;
    /** Small chunks merge once there are this many, whatever they hold. */
    public static final int MAX_SMALL_CHUNKS = 8;
    /** An extent-map pass aims this fraction of the budget below it, so the next fold does not re-trigger it at once. */
    private static final double EXTENT_HEADROOM = 1.0 / 32;

    /** Why a pass runs. */
    public enum Reason {
        SPACE, EXTENT_MAP, SMALL_CHUNKS
    }

    /**
     * One pass: the extents to copy, in address order (data extents only), and why.
     *
     * @param reason the trigger crossed
     * @param moving the extents whose blocks the pass copies into new chunks
     * @param liveBlocks blocks the pass copies
     * @param fromSequence the lowest sequence the copied chunks cover (exclusive)
     * @param toSequence the highest sequence the copied chunks cover
     */
    public record Plan(Reason reason, List<Extent> moving, long liveBlocks, long fromSequence, long toSequence) {
        public Plan {
            moving = List.copyOf(moving);
        }
    }

    private final CompactionConfig config;

    public MergePolicy(CompactionConfig config) {
        this.config = Objects.requireNonNull(config, "config");
    }

    /** The next pass over {@code manifest}, or null if no trigger is crossed. */
    public Plan plan(Manifest manifest) {
        List<ChunkId> victims = spaceVictims(manifest);
        if (!victims.isEmpty()) {
            return chunkPlan(manifest, Reason.SPACE, victims);
        }
        Plan defrag = extentPlan(manifest);
        if (defrag != null) {
            return defrag;
        }
        List<ChunkId> small = smallChunks(manifest);
        if (!small.isEmpty()) {
            return chunkPlan(manifest, Reason.SMALL_CHUNKS, small);
        }
        return null;
    }

    /** The extent map's heap budget for {@code extents}. */
    public long extentMapBudget(ExtentMap extents) {
        double tib = (double) extents.endBlock() * ChunkFormat.BLOCK_SIZE / (1L << 40);
        return Math.max(MIN_EXTENT_MAP_BUDGET, (long) (config.extentMapBytesPerTiB() * tib));
    }

    /**
     * The chunks a space pass would empty now, highest garbage ratio first: empty unless stored
     * data blocks exceed the bound × live blocks; then as many as bring the sum under it or fill
     * one pass.
     */
    public List<ChunkId> spaceVictims(Manifest manifest) {
        Map<ChunkId, Long> live = manifest.extents().liveBlocksByChunk();
        long stored = 0;
        long liveTotal = 0;
        for (ChunkDescriptor c : manifest.chunks()) {
            stored += c.dataBlocks();
            liveTotal += live.getOrDefault(c.id(), 0L);
        }
        double bound = config.maxSpaceAmplification();
        if (stored <= bound * liveTotal) {
            return List.of();
        }
        List<ChunkDescriptor> byGarbage = new ArrayList<>(manifest.chunks());
        byGarbage.sort((a, b) -> Double.compare(garbageRatio(b, live), garbageRatio(a, live)));
        long passBlocks = passBlocks();
        List<ChunkId> out = new ArrayList<>();
        long taken = 0;
        for (ChunkDescriptor c : byGarbage) {
            if (stored <= bound * liveTotal) {
                break;
            }
            long l = live.getOrDefault(c.id(), 0L);
            if (!out.isEmpty() && taken + l > passBlocks) {
                break;
            }
            out.add(c.id());
            taken += l;
            // The victim's live blocks are written again; its dead ones are freed.
            stored -= c.dataBlocks() - l;
        }
        return out;
    }

    /**
     * Undersized chunks to merge now (tiered): empty unless there are at least two and either
     * they hold a small chunk's worth of live blocks between them or there are
     * {@link #MAX_SMALL_CHUNKS}.
     */
    public List<ChunkId> smallChunks(Manifest manifest) {
        Map<ChunkId, Long> live = manifest.extents().liveBlocksByChunk();
        long small = smallBlocks();
        List<ChunkId> out = new ArrayList<>();
        long total = 0;
        for (ChunkDescriptor c : manifest.chunks()) {
            long l = live.getOrDefault(c.id(), 0L);
            if (l < small) {
                if (!out.isEmpty() && total + l > passBlocks()) {
                    break;
                }
                out.add(c.id());
                total += l;
            }
        }
        if (out.size() < 2 || (total < small && out.size() < MAX_SMALL_CHUNKS)) {
            return List.of();
        }
        return out;
    }

    /**
     * An extent-map pass, or null if the map is within its budget or no region is worth
     * copying. Rewrites the most fragmented address regions (each
     * {@link CompactionConfig#targetChunkBytes()} of address space), as many as bring the
     * estimate under the budget or fill one pass.
     */
    public Plan extentPlan(Manifest manifest) {
        List<Long> regions = fragmentedRegions(manifest);
        if (regions.isEmpty()) {
            return null;
        }
        List<Extent> moving = new ArrayList<>();
        for (long start : regions) {
            for (Extent e : manifest.extents().extentsIn(start, config.targetChunkBlocks())) {
                if (!e.isZero()) {
                    moving.add(e);
                }
            }
        }
        return plan(manifest, Reason.EXTENT_MAP, moving);
    }

    /**
     * The start blocks of the regions an extent-map pass would rewrite now, in address order:
     * empty unless the map is over its budget. Most extents shed per region first.
     */
    public List<Long> fragmentedRegions(Manifest manifest) {
        ExtentMap extents = manifest.extents();
        long heap = extents.heapBytesEstimate();
        long budget = extentMapBudget(extents);
        if (extents.size() == 0 || heap <= budget) {
            return List.of();
        }
        long target = budget - (long) (budget * EXTENT_HEADROOM);
        long regionBlocks = config.targetChunkBlocks();
        // Per region: extents now, extents after a rewrite (adjacent data runs and adjacent zero runs join), data blocks.
        Map<Long, long[]> regions = new HashMap<>();
        long[] previousEnd = {-1};
        boolean[] previousZero = {false};
        long[] previousRegion = {-1};
        extents.forEach(e -> {
            for (long b = e.firstBlock(); b < e.endBlock(); ) {
                long region = b / regionBlocks;
                long pieceEnd = Math.min(e.endBlock(), (region + 1) * regionBlocks);
                long[] r = regions.computeIfAbsent(region, k -> new long[3]);
                r[0]++;
                boolean joins = previousRegion[0] == region && previousEnd[0] == b && previousZero[0] == e.isZero();
                if (!joins) {
                    r[1]++;
                }
                if (!e.isZero()) {
                    r[2] += pieceEnd - b;
                }
                previousRegion[0] = region;
                previousEnd[0] = pieceEnd;
                previousZero[0] = e.isZero();
                b = pieceEnd;
            }
        });
        List<Map.Entry<Long, long[]>> worthIt = new ArrayList<>();
        for (Map.Entry<Long, long[]> r : regions.entrySet()) {
            // A rewrite can split an extent at each region edge: demand a clear gain.
            if (r.getValue()[0] - r.getValue()[1] >= 3) {
                worthIt.add(r);
            }
        }
        // Most extents shed per block copied first; ties by address, so plans are deterministic.
        worthIt.sort((a, b) -> {
            long[] x = a.getValue();
            long[] y = b.getValue();
            int c = Long.compare((y[0] - y[1]) * Math.max(1, x[2]), (x[0] - x[1]) * Math.max(1, y[2]));
            return c != 0 ? c : Long.compare(a.getKey(), b.getKey());
        });
        List<Long> out = new ArrayList<>();
        long passBlocks = passBlocks();
        long taken = 0;
        for (Map.Entry<Long, long[]> r : worthIt) {
            if (heap <= target || (taken + r.getValue()[2] > passBlocks && !out.isEmpty())) {
                break;
            }
            out.add(r.getKey() * regionBlocks);
            taken += r.getValue()[2];
            heap -= (r.getValue()[0] - r.getValue()[1]) * ExtentMap.BYTES_PER_EXTENT;
        }
        out.sort(Long::compare);
        return out;
    }

    private Plan chunkPlan(Manifest manifest, Reason reason, List<ChunkId> chunks) {
        Set<ChunkId> set = new HashSet<>(chunks);
        List<Extent> moving = new ArrayList<>();
        manifest.extents().forEach(e -> {
            if (e.chunk() != null && set.contains(e.chunk())) {
                moving.add(e);
            }
        });
        return plan(manifest, reason, moving);
    }

    private static Plan plan(Manifest manifest, Reason reason, List<Extent> moving) {
        long from = Long.MAX_VALUE;
        long to = 0;
        long blocks = 0;
        Set<ChunkId> seen = new HashSet<>();
        for (Extent e : moving) {
            blocks += e.blockCount();
            if (seen.add(e.chunk())) {
                ChunkDescriptor c = manifest.chunk(e.chunk());
                from = Math.min(from, c.fromSequence());
                to = Math.max(to, c.toSequence());
            }
        }
        return new Plan(reason, moving, blocks, from == Long.MAX_VALUE ? 0 : from, to);
    }

    private static double garbageRatio(ChunkDescriptor c, Map<ChunkId, Long> live) {
        if (c.dataBlocks() == 0) {
            return 0;
        }
        return 1.0 - (double) live.getOrDefault(c.id(), 0L) / c.dataBlocks();
    }

    private long smallBlocks() {
        return (long) (config.targetChunkBlocks() * config.smallChunkFraction());
    }

    private long passBlocks() {
        return config.maxMergeBytes() / ChunkFormat.BLOCK_SIZE;
    }
}
