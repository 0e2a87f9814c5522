package io.ledgerdisk.chunk.manifest;

import io.ledgerdisk.chunk.extent.Extent;
import io.ledgerdisk.chunk.format.ChunkFormat;
import io.ledgerdisk.chunk.format.ChunkReader;
import io.ledgerdisk.chunk.format.ChunkVerification;
import io.ledgerdisk.chunk.format.FrameCache;
import io.ledgerdisk.chunk.format.WrittenChunk;
import io.ledgerdisk.chunk.store.ChunkId;
import io.ledgerdisk.chunk.store.ChunkStore;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * Reads a volume's bytes as a manifest describes them: extent map → chunk → frame (one ranged
 * read, CRC32C checked) → bytes. Blocks the manifest does not map, and zero extents, read as
 * zeros without I/O. The memtable (records newer than the manifest's covered sequence) is the
 * caller's business and must be laid over the result.
 *
 * <p>Keeps the indexes of recently used chunks open (bounded, least recently used dropped) so
 * that a block read after the first costs one ranged read.
 *
 * <p>Thread-safe.
 */
public final class ManifestReader {
    private final ChunkStore store;
    private final int maxOpenChunks;
    private final LinkedHashMap<ChunkId, CompletableFuture<ChunkReader>> open;
    private final FrameCache frames;

    /** Default bytes of decompressed frames kept: 512 frames of 64 KiB. */
    public static final long DEFAULT_FRAME_CACHE_BYTES = 32L << 20;

    /**
     * A reader with a {@link #DEFAULT_FRAME_CACHE_BYTES} frame cache.
     *
     * @param store the store that holds the manifest's chunks
     * @param maxOpenChunks chunk indexes kept in memory (a 4 MiB chunk's index is ~3 KiB)
     */
    public ManifestReader(ChunkStore store, int maxOpenChunks) {
        this(store, maxOpenChunks, DEFAULT_FRAME_CACHE_BYTES);
    }

    /**
     * @param store the store that holds the manifest's chunks
     * @param maxOpenChunks chunk indexes kept in memory (a 4 MiB chunk's index is ~3 KiB)
     * @param frameCacheBytes decompressed frames kept for reads that follow (0: none)
     */
    public ManifestReader(ChunkStore store, int maxOpenChunks, long frameCacheBytes) {
        this.frames = new FrameCache(frameCacheBytes);
        this.store = Objects.requireNonNull(store, "store");
        if (maxOpenChunks < 1) {
            throw new IllegalArgumentException("maxOpenChunks must be at least 1, got " + maxOpenChunks);
        }
        this.maxOpenChunks = maxOpenChunks;
        this.open = new LinkedHashMap<>(16, 0.75f, true);
    }

    /** The store this reader reads from. */
    public ChunkStore store() {
        return store;
    }

    /**
     * Reads {@code length} bytes from byte {@code offset} of the volume into
     * {@code dst[dstOffset ..]}; offset and length need not be block-aligned.
     */
    public CompletableFuture<Void> readBytes(Manifest manifest, long offset, int length, byte[] dst, int dstOffset) {
        Objects.checkFromIndexSize(dstOffset, length, dst.length);
        if (length == 0) {
            return CompletableFuture.completedFuture(null);
        }
        long firstBlock = offset >>> ChunkFormat.BLOCK_SHIFT;
        long endBlock = (offset + length + ChunkFormat.BLOCK_SIZE - 1) >>> ChunkFormat.BLOCK_SHIFT;
        int skip = (int) (offset - (firstBlock << ChunkFormat.BLOCK_SHIFT));
        if (skip == 0 && (length & (ChunkFormat.BLOCK_SIZE - 1)) == 0) {
            return readBlocks(manifest, firstBlock, length >>> ChunkFormat.BLOCK_SHIFT, dst, dstOffset);
        }
        byte[] blocks = new byte[(int) ((endBlock - firstBlock) << ChunkFormat.BLOCK_SHIFT)];
        return readBlocks(manifest, firstBlock, (int) (endBlock - firstBlock), blocks, 0)
                .thenRun(() -> System.arraycopy(blocks, skip, dst, dstOffset, length));
    }

    /** Reads {@code blockCount} whole blocks from {@code firstBlock} into {@code dst[dstOffset ..]}. */
    public CompletableFuture<Void> readBlocks(Manifest manifest, long firstBlock, int blockCount, byte[] dst,
            int dstOffset) {
        Objects.checkFromIndexSize(dstOffset, blockCount * ChunkFormat.BLOCK_SIZE, dst.length);
        Arrays.fill(dst, dstOffset, dstOffset + blockCount * ChunkFormat.BLOCK_SIZE, (byte) 0);
        List<CompletableFuture<Void>> reads = new ArrayList<>();
        for (Extent e : manifest.extents().extentsIn(firstBlock, blockCount)) {
            if (e.isZero()) {
                continue;
            }
            int at = dstOffset + (int) ((e.firstBlock() - firstBlock) << ChunkFormat.BLOCK_SHIFT);
            reads.add(reader(e.chunk()).thenCompose(r -> r.readBlocks(e.firstBlock(), (int) e.blockCount(), dst, at)));
        }
        return CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new));
    }

    /**
     * Scrubs every chunk {@code manifest} reaches, one chunk at a time (so a scrub never holds
     * more than one chunk's frames): CRC32C and decompression of every frame, and that every
     * extent's blocks are really held by the chunk it names. Corruption and missing chunks are
     * reported in the result, not thrown.
     */
    public CompletableFuture<ManifestScrub> verify(Manifest manifest) {
        String name = manifest.volumeId() + "/" + manifest.version();
        List<ChunkVerification> results = new ArrayList<>();
        List<String> inconsistencies = new ArrayList<>();
        CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
        for (ChunkDescriptor c : manifest.chunks()) {
            chain = chain.thenCompose(v -> ChunkReader.verify(store, c.id()).handle((result, error) -> {
                if (error != null) {
                    inconsistencies.add("chunk " + c.id() + " cannot be read: " + unwrap(error));
                } else {
                    results.add(result);
                }
                return null;
            }));
        }
        return chain.thenCompose(v -> {
            Map<ChunkId, List<Extent>> byChunk = new java.util.HashMap<>();
            manifest.extents().forEach(e -> {
                if (e.chunk() != null) {
                    byChunk.computeIfAbsent(e.chunk(), k -> new ArrayList<>()).add(e);
                }
            });
            List<CompletableFuture<Void>> checks = new ArrayList<>();
            for (ChunkVerification r : results) {
                List<Extent> extents = byChunk.getOrDefault(r.chunkId(), List.of());
                if (!r.ok() || extents.isEmpty()) {
                    continue;
                }
                checks.add(reader(r.chunkId()).thenAccept(chunk -> {
                    for (Extent e : extents) {
                        if (!chunk.index().covers(e.firstBlock(), e.blockCount())) {
                            synchronized (inconsistencies) {
                                inconsistencies.add("extent [" + e.firstBlock() + ", " + e.endBlock() + ") points at chunk "
                                        + e.chunk() + ", which does not hold all of it");
                            }
                        }
                    }
                }));
            }
            return CompletableFuture.allOf(checks.toArray(CompletableFuture[]::new));
        }).thenApply(v -> new ManifestScrub(name, results, inconsistencies));
    }

    private static String unwrap(Throwable error) {
        Throwable t = error;
        while (t instanceof java.util.concurrent.CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        return t.getMessage();
    }

    /** The open reader of {@code id}, opening (reading its index) on first use. */
    public CompletableFuture<ChunkReader> reader(ChunkId id) {
        CompletableFuture<ChunkReader> f;
        boolean opening = false;
        synchronized (open) {
            f = open.get(id);
            if (f == null) {
                f = new CompletableFuture<>();
                open.put(id, f);
                trim();
                opening = true;
            }
        }
        if (opening) {
            CompletableFuture<ChunkReader> slot = f;
            ChunkReader.open(store, id, frames).whenComplete((r, error) -> {
                if (error != null) {
                    // A failed open is not cached: the next read retries it.
                    forget(id, slot);
                    slot.completeExceptionally(error);
                } else {
                    slot.complete(r);
                }
            });
        }
        return f;
    }

    /** Registers a chunk just written so that reading it needs no index fetch. */
    public void add(WrittenChunk written) {
        synchronized (open) {
            open.put(written.id(), CompletableFuture.completedFuture(ChunkReader.of(store, written, frames)));
            trim();
        }
    }

    /** Drops the cached index and frames of a chunk (after it was deleted). */
    public void forget(ChunkId id) {
        synchronized (open) {
            open.remove(id);
        }
        frames.forget(id);
    }

    /** The cache of decompressed frames (for its hit counts). */
    public FrameCache frameCache() {
        return frames;
    }

    private void forget(ChunkId id, CompletableFuture<ChunkReader> slot) {
        synchronized (open) {
            open.remove(id, slot);
        }
    }

    private void trim() {
        while (open.size() > maxOpenChunks) {
            Map.Entry<ChunkId, CompletableFuture<ChunkReader>> eldest = open.entrySet().iterator().next();
            open.remove(eldest.getKey());
        }
    }
}
