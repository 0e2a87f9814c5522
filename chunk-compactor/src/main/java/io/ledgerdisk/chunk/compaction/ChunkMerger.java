package io.ledgerdisk.chunk.compaction;

import io.ledgerdisk.chunk.extent.Extent;
import io.ledgerdisk.chunk.extent.ExtentMap;
import io.ledgerdisk.chunk.format.ChunkFormat;
import io.ledgerdisk.chunk.format.ChunkHeader;
import io.ledgerdisk.chunk.manifest.ChunkDescriptor;
import io.ledgerdisk.chunk.manifest.Manifest;
import io.ledgerdisk.chunk.manifest.ManifestReader;
import io.ledgerdisk.chunk.store.ChunkId;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rewrites the live blocks of wasteful chunks into fresh, full chunks, so that stored space
 * stays within {@link CompactionConfig#maxSpaceAmplification()} × live data and the number of
 * chunks (hence open indexes and per-chunk extents) stays small.
 *
 * <p>A chunk is rewritten when its stored data blocks exceed the space bound times its live
 * blocks (overwritten data to reclaim), or when it holds fewer live blocks than
 * {@link CompactionConfig#smallChunkFraction()} of the target (many small folds). After a pass
 * every chunk left satisfies the space bound, and so does the sum. Every block still reads from
 * exactly one chunk, as always.
 *
 * <p>Scattered small overwrites also fragment the extent map (each 4 KiB overwrite in the middle
 * of an extent makes three). When the map passes its heap budget
 * ({@link CompactionConfig#extentMapBytesPerTiB()}), the merger rewrites the most fragmented
 * address regions into fresh chunks so each region is a few long extents again; this trades
 * rewrite I/O for a bounded map, as an LSM tree's compaction does.
 *
 * <p>The result is not committed. The merge is based on one manifest version; if a fold
 * commits first, the caller's compare-and-set on the version fails and the merge is run
 * again on the newer manifest (the lost merge's chunks are orphans for garbage collection).
 *
 * <p>Thread-safe.
 */
public final class ChunkMerger {
    private static final Logger LOG = LoggerFactory.getLogger(ChunkMerger.class);
    /** Smallest extent map budget: tiny volumes are never defragmented for a few hundred bytes. */
    public static final long MIN_EXTENT_MAP_BUDGET = 64 * 1024;

    private final ManifestReader reader;
    private final CompactionConfig config;
    private final Executor cpu;
    private final Compactor compactor;
    private final LongSupplier clockMicros;

    public ChunkMerger(ManifestReader reader, CompactionConfig config, Executor cpu, LongSupplier clockMicros) {
        this.reader = Objects.requireNonNull(reader, "reader");
        this.config = Objects.requireNonNull(config, "config");
        this.cpu = Objects.requireNonNull(cpu, "cpu");
        this.clockMicros = Objects.requireNonNull(clockMicros, "clockMicros");
        this.compactor = new Compactor(reader, config, cpu, clockMicros);
    }

    /** The chunks of {@code manifest} a merge would rewrite now, at most one pass's worth. */
    public List<ChunkId> candidates(Manifest manifest) {
        Map<ChunkId, Long> live = manifest.extents().liveBlocksByChunk();
        long small = (long) (config.targetChunkBlocks() * config.smallChunkFraction());
        long budget = config.maxMergeBytes() / ChunkFormat.BLOCK_SIZE;
        List<ChunkId> wasteful = new ArrayList<>();
        List<ChunkId> undersized = new ArrayList<>();
        for (ChunkDescriptor c : manifest.chunks()) {
            long l = live.getOrDefault(c.id(), 0L);
            if (c.dataBlocks() > config.maxSpaceAmplification() * l) {
                wasteful.add(c.id());
            } else if (l < small) {
                undersized.add(c.id());
            }
        }
        // Merging one small chunk on its own gains nothing.
        if (wasteful.isEmpty() && undersized.size() < 2) {
            return List.of();
        }
        List<ChunkId> out = new ArrayList<>();
        long taken = 0;
        for (List<ChunkId> group : List.of(wasteful, undersized)) {
            for (ChunkId id : group) {
                long l = live.getOrDefault(id, 0L);
                if (taken + l > budget && !out.isEmpty()) {
                    return out;
                }
                out.add(id);
                taken += l;
            }
        }
        return out;
    }

    /**
     * The start blocks of the regions (each {@link CompactionConfig#targetChunkBytes()} of
     * address space) a defragmenting pass would rewrite now: empty unless the extent map is over
     * its budget ({@link CompactionConfig#extentMapBytesPerTiB()} per TiB of mapped span, at
     * least {@link #MIN_EXTENT_MAP_BUDGET}). The most fragmented regions come first, as many as
     * bring the map under budget or fill one pass.
     */
    public List<Long> fragmentedRegions(Manifest manifest) {
        ExtentMap extents = manifest.extents();
        if (extents.size() == 0) {
            return List.of();
        }
        long spanBlocks = extents.endBlock();
        double tib = (double) spanBlocks * ChunkFormat.BLOCK_SIZE / (1L << 40);
        long budget = Math.max(MIN_EXTENT_MAP_BUDGET, (long) (config.extentMapBytesPerTiB() * tib));
        long heap = extents.heapBytesEstimate();
        if (heap <= budget) {
            return List.of();
        }
        long regionBlocks = config.targetChunkBlocks();
        // Per region: extents now, extents after a rewrite (adjacent data runs and adjacent zero runs merge).
        Map<Long, long[]> regions = new java.util.HashMap<>();
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
        worthIt.sort((a, b) -> Long.compare(b.getValue()[0] - b.getValue()[1], a.getValue()[0] - a.getValue()[1]));
        List<Long> out = new ArrayList<>();
        long passBlocks = config.maxMergeBytes() / ChunkFormat.BLOCK_SIZE;
        long taken = 0;
        for (Map.Entry<Long, long[]> r : worthIt) {
            if (heap <= budget || (taken + r.getValue()[2] > passBlocks && !out.isEmpty())) {
                break;
            }
            out.add(r.getKey() * regionBlocks);
            taken += r.getValue()[2];
            heap -= (r.getValue()[0] - r.getValue()[1]) * ExtentMap.BYTES_PER_EXTENT;
        }
        out.sort(Long::compare);
        return out;
    }

    /**
     * Runs one merge pass over {@code manifest}; empty if nothing is worth rewriting. A pass
     * either rewrites the live blocks of wasteful or small chunks ({@link #candidates}) or, when
     * no chunk needs it but the extent map is over budget, rewrites the most fragmented address
     * regions ({@link #fragmentedRegions}) so that each becomes a few long extents. Either way it
     * reads at most {@link CompactionConfig#maxMergeBytes()} of live data, writes it in address
     * order into new chunks and points the extents at them. Call it again until it returns empty.
     */
    public CompletableFuture<Optional<FoldResult>> merge(Manifest manifest) {
        List<ChunkId> chosen = candidates(manifest);
        if (!chosen.isEmpty()) {
            Set<ChunkId> set = new HashSet<>(chosen);
            List<Extent> moving = new ArrayList<>();
            manifest.extents().forEach(e -> {
                if (e.chunk() != null && set.contains(e.chunk())) {
                    moving.add(e);
                }
            });
            long fromSequence = Long.MAX_VALUE;
            long toSequence = 0;
            for (ChunkId id : chosen) {
                ChunkDescriptor c = manifest.chunk(id);
                fromSequence = Math.min(fromSequence, c.fromSequence());
                toSequence = Math.max(toSequence, c.toSequence());
            }
            return rewrite(manifest, moving, fromSequence, toSequence, chosen.size() + " chunks");
        }
        List<Long> regions = fragmentedRegions(manifest);
        if (!regions.isEmpty()) {
            List<Extent> moving = new ArrayList<>();
            for (long start : regions) {
                moving.addAll(manifest.extents().extentsIn(start, config.targetChunkBlocks()));
            }
            return rewrite(manifest, moving, 0, manifest.coveredSequence(), regions.size() + " fragmented regions");
        }
        return CompletableFuture.completedFuture(Optional.empty());
    }

    /** Copies {@code moving} (address order; data and zero extents) into new chunks. */
    private CompletableFuture<Optional<FoldResult>> rewrite(Manifest manifest, List<Extent> moving, long fromSequence,
            long toSequence, String what) {
        long blocks = 0;
        for (Extent e : moving) {
            if (!e.isZero()) {
                blocks += e.blockCount();
            }
        }
        byte[] data = new byte[Math.toIntExact(blocks * ChunkFormat.BLOCK_SIZE)];
        // Each data extent reads into its own slot of `data`; slots follow address order.
        List<CompletableFuture<Void>> reads = new ArrayList<>();
        int slot = 0;
        for (Extent e : moving) {
            if (e.isZero()) {
                continue;
            }
            int offset = slot;
            reads.add(reader.reader(e.chunk()).thenCompose(r -> r.readBlocks(e.firstBlock(), (int) e.blockCount(), data,
                    offset)));
            slot += (int) (e.blockCount() * ChunkFormat.BLOCK_SIZE);
        }
        ChunkHeader header = new ChunkHeader(manifest.volumeId(), fromSequence, toSequence, clockMicros.getAsLong());
        long liveBlocks = blocks;
        return CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new)).thenApplyAsync(v -> {
            ChunkSink sink = new ChunkSink(reader.store(), header, config.targetChunkBlocks());
            int offset = 0;
            for (Extent e : moving) {
                if (e.isZero()) {
                    sink.writeZeros(e.firstBlock(), e.blockCount());
                    continue;
                }
                int length = (int) (e.blockCount() * ChunkFormat.BLOCK_SIZE);
                sink.writeBlocks(e.firstBlock(), ByteBuffer.wrap(data, offset, length).slice(), e.blockCount());
                offset += length;
            }
            return sink.finish().thenApply(written -> {
                Manifest next = compactor.nextManifest(manifest, manifest.coveredSequence(), written, sink.looseZeros());
                written.forEach(reader::add);
                LOG.debug("Merged {} ({} live blocks) of volume {} into {} chunks", what, liveBlocks,
                        manifest.volumeId(), written.size());
                return Optional.of(new FoldResult(next, written, liveBlocks * ChunkFormat.BLOCK_SIZE));
            });
        }, cpu).thenCompose(f -> f);
    }
}
