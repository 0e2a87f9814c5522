package io.ledgerdisk.chunk.compaction;

import io.ledgerdisk.chunk.extent.Extent;
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
 * <p>The result is not committed. The merge is based on one manifest version; if a fold
 * commits first, the caller's compare-and-set on the version fails and the merge is run
 * again on the newer manifest (the lost merge's chunks are orphans for garbage collection).
 *
 * <p>Thread-safe.
 */
public final class ChunkMerger {
    private static final Logger LOG = LoggerFactory.getLogger(ChunkMerger.class);

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
     * Runs one merge pass over {@code manifest}; empty if nothing is worth rewriting. Reads the
     * live blocks of the chosen chunks (at most {@link CompactionConfig#maxMergeBytes()}), writes
     * them in address order into new chunks, and points their extents at the new chunks.
     */
    public CompletableFuture<Optional<FoldResult>> merge(Manifest manifest) {
        List<ChunkId> chosen = candidates(manifest);
        if (chosen.isEmpty()) {
            return CompletableFuture.completedFuture(Optional.empty());
        }
        Set<ChunkId> set = new HashSet<>(chosen);
        List<Extent> moving = new ArrayList<>();
        manifest.extents().forEach(e -> {
            if (e.chunk() != null && set.contains(e.chunk())) {
                moving.add(e);
            }
        });
        long blocks = moving.stream().mapToLong(Extent::blockCount).sum();
        byte[] data = new byte[Math.toIntExact(blocks * ChunkFormat.BLOCK_SIZE)];
        // Each extent reads into its own slot of `data`; slots follow address order.
        List<CompletableFuture<Void>> reads = new ArrayList<>();
        int slot = 0;
        for (Extent e : moving) {
            int offset = slot;
            reads.add(reader.reader(e.chunk()).thenCompose(r -> r.readBlocks(e.firstBlock(), (int) e.blockCount(), data,
                    offset)));
            slot += (int) (e.blockCount() * ChunkFormat.BLOCK_SIZE);
        }
        long fromSequence = Long.MAX_VALUE;
        long toSequence = 0;
        for (ChunkId id : chosen) {
            ChunkDescriptor c = manifest.chunk(id);
            fromSequence = Math.min(fromSequence, c.fromSequence());
            toSequence = Math.max(toSequence, c.toSequence());
        }
        ChunkHeader header = new ChunkHeader(manifest.volumeId(), fromSequence, toSequence, clockMicros.getAsLong());
        return CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new)).thenApplyAsync(v -> {
            ChunkSink sink = new ChunkSink(reader.store(), header, config.targetChunkBlocks());
            int offset = 0;
            for (Extent e : moving) {
                int length = (int) (e.blockCount() * ChunkFormat.BLOCK_SIZE);
                sink.writeBlocks(e.firstBlock(), ByteBuffer.wrap(data, offset, length).slice(), e.blockCount());
                offset += length;
            }
            return sink.finish().thenApply(written -> {
                Manifest next = compactor.nextManifest(manifest, manifest.coveredSequence(), written, List.of());
                written.forEach(reader::add);
                LOG.debug("Merged {} chunks ({} live blocks) of volume {} into {}", chosen.size(), blocks,
                        manifest.volumeId(), written.size());
                return Optional.of(new FoldResult(next, written, blocks * ChunkFormat.BLOCK_SIZE));
            });
        }, cpu).thenCompose(f -> f);
    }
}
