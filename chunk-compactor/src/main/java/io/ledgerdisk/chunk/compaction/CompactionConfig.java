package io.ledgerdisk.chunk.compaction;

import io.ledgerdisk.chunk.format.ChunkFormat;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of the fold, the merger and the garbage collector; validated on construction.
 *
 * @param targetChunkBytes logical data per chunk the fold and the merger aim for (a multiple
 *     of 4096; default 4 MiB)
 * @param maxSpaceAmplification the merger rewrites a chunk whose stored data blocks exceed
 *     this many times its live blocks (default 1.5: stored space stays within 1.5 × live data)
 * @param smallChunkFraction chunks with fewer live blocks than this fraction of the target are
 *     merged with their neighbours (default 0.25)
 * @param maxMergeBytes most live bytes one merge pass rewrites; bounds its memory (default 64 MiB)
 * @param gcGracePeriod the garbage collector leaves unreachable objects younger than this
 *     alone, because a fold may have written them and not committed its manifest yet
 *     (default 1 hour)
 * @param extentMapBytesPerTiB heap budget of a volume's extent map per TiB of its mapped span;
 *     above it the merger rewrites the most fragmented regions (default 64 MiB)
 */
public record CompactionConfig(long targetChunkBytes, double maxSpaceAmplification, double smallChunkFraction,
        long maxMergeBytes, Duration gcGracePeriod, long extentMapBytesPerTiB) {

    public static final long DEFAULT_TARGET_CHUNK_BYTES = 4L << 20;

    public CompactionConfig {
        Objects.requireNonNull(gcGracePeriod, "gcGracePeriod");
        if (targetChunkBytes < ChunkFormat.BLOCK_SIZE || targetChunkBytes % ChunkFormat.BLOCK_SIZE != 0
                || targetChunkBytes > (1L << 30)) {
            throw new IllegalArgumentException("targetChunkBytes must be a multiple of " + ChunkFormat.BLOCK_SIZE
                    + " between 4 KiB and 1 GiB, got " + targetChunkBytes);
        }
        if (!(maxSpaceAmplification >= 1.0)) {
            throw new IllegalArgumentException("maxSpaceAmplification must be at least 1.0, got " + maxSpaceAmplification);
        }
        if (!(smallChunkFraction >= 0 && smallChunkFraction < 1)) {
            throw new IllegalArgumentException("smallChunkFraction must be in [0, 1), got " + smallChunkFraction);
        }
        if (maxMergeBytes < targetChunkBytes) {
            throw new IllegalArgumentException("maxMergeBytes (" + maxMergeBytes + ") must be at least targetChunkBytes ("
                    + targetChunkBytes + ")");
        }
        if (extentMapBytesPerTiB < 0) {
            throw new IllegalArgumentException("extentMapBytesPerTiB must not be negative, got " + extentMapBytesPerTiB);
        }
        if (gcGracePeriod.isNegative()) {
            throw new IllegalArgumentException("gcGracePeriod must not be negative, got " + gcGracePeriod);
        }
    }

    /**
     * The defaults: 4 MiB chunks, 1.5× space bound, quarter-size small chunks, 64 MiB merges,
     * 1 h grace, 64 MiB of extent map per TiB.
     */
    public static CompactionConfig defaults() {
        return new CompactionConfig(DEFAULT_TARGET_CHUNK_BYTES, 1.5, 0.25, 64L << 20, Duration.ofHours(1), 64L << 20);
    }

    /** These settings with another target chunk size. */
    public CompactionConfig withTargetChunkBytes(long bytes) {
        return new CompactionConfig(bytes, maxSpaceAmplification, smallChunkFraction,
                Math.max(maxMergeBytes, bytes), gcGracePeriod, extentMapBytesPerTiB);
    }

    /** These settings with another garbage-collection grace period. */
    public CompactionConfig withGcGracePeriod(Duration grace) {
        return new CompactionConfig(targetChunkBytes, maxSpaceAmplification, smallChunkFraction, maxMergeBytes, grace,
                extentMapBytesPerTiB);
    }

    /** These settings with another extent map budget. */
    public CompactionConfig withExtentMapBytesPerTiB(long bytes) {
        return new CompactionConfig(targetChunkBytes, maxSpaceAmplification, smallChunkFraction, maxMergeBytes,
                gcGracePeriod, bytes);
    }

    /** {@link #targetChunkBytes} in blocks. */
    public long targetChunkBlocks() {
        return targetChunkBytes / ChunkFormat.BLOCK_SIZE;
    }
}
