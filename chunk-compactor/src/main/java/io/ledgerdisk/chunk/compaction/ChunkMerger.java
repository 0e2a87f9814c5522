package io.ledgerdisk.chunk.compaction;

import io.ledgerdisk.chunk.extent.Extent;
import io.ledgerdisk.chunk.format.ChunkFormat;
import io.ledgerdisk.chunk.format.ChunkHeader;
import io.ledgerdisk.chunk.manifest.Manifest;
import io.ledgerdisk.chunk.manifest.ManifestReader;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs merge passes: copies the live blocks a {@link MergePolicy} picks into fresh, full chunks
 * and points the extents at them. A pass runs only when one of the policy's triggers is crossed
 * (space over {@link CompactionConfig#maxSpaceAmplification()} × live data, extent map over its
 * heap budget, small chunks piling up); see {@link MergePolicy} for what holds after merging.
 *
 * <p>The result is not committed. The merge is based on one manifest version; if a fold
 * commits first, the caller's compare-and-set on the version fails and the merge is run
 * again on the newer manifest (the lost merge's chunks are orphans for garbage collection).
 * Chunks the new manifest no longer reaches stay in the store until garbage collection finds
 * no retained manifest version, snapshot or clone that reaches them.
 *
 * <p>Thread-safe.
 */
public final class ChunkMerger {
    private static final Logger LOG = LoggerFactory.getLogger(ChunkMerger.class);

    private final ManifestReader reader;
    private final CompactionConfig config;
    private final MergePolicy policy;
    private final Executor cpu;
    private final Compactor compactor;
    private final LongSupplier clockMicros;
    private final ChunkFileBufferPool chunkBuffers;

    public ChunkMerger(ManifestReader reader, CompactionConfig config, Executor cpu, LongSupplier clockMicros) {
        this.reader = Objects.requireNonNull(reader, "reader");
        this.config = Objects.requireNonNull(config, "config");
        this.cpu = Objects.requireNonNull(cpu, "cpu");
        this.clockMicros = Objects.requireNonNull(clockMicros, "clockMicros");
        this.policy = new MergePolicy(config);
        this.compactor = new Compactor(reader, config, cpu, clockMicros);
        this.chunkBuffers = ChunkSink.bufferPool(config.targetChunkBlocks());
    }

    /** The policy that picks what each pass copies. */
    public MergePolicy policy() {
        return policy;
    }

    /**
     * Runs one merge pass over {@code manifest}; empty if no trigger of the {@link MergePolicy}
     * is crossed. A pass reads at most {@link CompactionConfig#maxMergeBytes()} of live data,
     * writes it in address order into new chunks and points the extents at them. Call it again
     * until it returns empty.
     */
    public CompletableFuture<Optional<FoldResult>> merge(Manifest manifest) {
        MergePolicy.Plan plan = policy.plan(manifest);
        if (plan == null) {
            return CompletableFuture.completedFuture(Optional.empty());
        }
        return rewrite(manifest, plan.moving(), plan.fromSequence(), plan.toSequence(),
                plan.reason() + " pass over " + plan.moving().size() + " extents");
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
            ChunkSink sink = new ChunkSink(reader.store(), header, config.targetChunkBlocks(), chunkBuffers);
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
