package io.ledgerdisk.chunk.manifest;

import io.ledgerdisk.chunk.extent.Extent;
import io.ledgerdisk.chunk.format.ChunkFormat;
import io.ledgerdisk.chunk.format.ChunkReader;
import io.ledgerdisk.chunk.format.ChunkVerification;
import io.ledgerdisk.chunk.format.FrameCache;
import io.ledgerdisk.chunk.format.WrittenChunk;
import io.ledgerdisk.chunk.store.ChunkId;
import io.ledgerdisk.chunk.store.ChunkStore;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletableFuture;

/**
 * Reads a volume's bytes as a manifest describes them: extent map → chunk → frame (one ranged
 * read, CRC32C checked) → bytes. Blocks the manifest does not map, and zero extents, read as
 * zeros without I/O. The memtable (records newer than the manifest's covered sequence) is the
 * caller's business and must be laid over the result.
 *
 * <p>Keeps the indexes of recently used chunks open (bounded; a chunk not used since the last eviction
 * sweep goes first, a "second chance" approximation of least recently used) so that a block read after
 * the first costs one ranged read. Finding an open chunk takes no lock: every read does it.
 *
 * <p>Thread-safe.
 */
public final class ManifestReader {
    private final ChunkStore store;
    private final int maxOpenChunks;
    private final ConcurrentHashMap<ChunkId, OpenChunk> open = new ConcurrentHashMap<>();
    /** Held while evicting, so that concurrent openers do not sweep the map at once. */
    private final Object eviction = new Object();
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
        return readBytes(manifest, offset, length, ByteBuffer.wrap(dst), dstOffset);
    }

    /**
     * Reads {@code length} bytes from byte {@code offset} of the volume into {@code dst} from its absolute
     * index {@code dstIndex} (the range must end within its limit; its position is untouched); offset and
     * length need not be block-aligned.
     * When every frame needed is in memory (page cache or frame cache) the read completes on the caller's
     * thread.
     */
    public CompletableFuture<Void> readBytes(Manifest manifest, long offset, int length, ByteBuffer dst, int dstIndex) {
        Objects.checkFromIndexSize(dstIndex, length, dst.limit());
        if (length == 0) {
            return CompletableFuture.completedFuture(null);
        }
        long firstBlock = offset >>> ChunkFormat.BLOCK_SHIFT;
        long endBlock = (offset + length + ChunkFormat.BLOCK_SIZE - 1) >>> ChunkFormat.BLOCK_SHIFT;
        int skip = (int) (offset - (firstBlock << ChunkFormat.BLOCK_SHIFT));
        if (skip == 0 && (length & (ChunkFormat.BLOCK_SIZE - 1)) == 0) {
            return readBlocks(manifest, firstBlock, length >>> ChunkFormat.BLOCK_SHIFT, dst, dstIndex);
        }
        byte[] blocks = new byte[(int) ((endBlock - firstBlock) << ChunkFormat.BLOCK_SHIFT)];
        return readBlocks(manifest, firstBlock, (int) (endBlock - firstBlock), ByteBuffer.wrap(blocks), 0)
                .thenRun(() -> dst.put(dstIndex, blocks, skip, length));
    }

    /** Reads {@code blockCount} whole blocks from {@code firstBlock} into {@code dst[dstOffset ..]}. */
    public CompletableFuture<Void> readBlocks(Manifest manifest, long firstBlock, int blockCount, byte[] dst,
            int dstOffset) {
        return readBlocks(manifest, firstBlock, blockCount, ByteBuffer.wrap(dst), dstOffset);
    }

    /**
     * Reads {@code blockCount} whole blocks from {@code firstBlock} into {@code dst} from its absolute
     * index {@code dstIndex}.
     */
    public CompletableFuture<Void> readBlocks(Manifest manifest, long firstBlock, int blockCount, ByteBuffer dst,
            int dstIndex) {
        Objects.checkFromIndexSize(dstIndex, blockCount * ChunkFormat.BLOCK_SIZE, dst.limit());
        // Each byte is written once: blocks of chunk extents by their chunk, the rest (never written, zeroed) here.
        List<CompletableFuture<Void>> reads = new ArrayList<>(2);
        long zeroFrom = firstBlock;
        for (Extent e : manifest.extents().extentsIn(firstBlock, blockCount)) {
            if (e.isZero()) {
                continue;
            }
            zeroBlocks(dst, dstIndex, firstBlock, zeroFrom, e.firstBlock());
            int at = dstIndex + (int) ((e.firstBlock() - firstBlock) << ChunkFormat.BLOCK_SHIFT);
            reads.add(reader(e.chunk()).thenCompose(r -> r.readBlocks(e.firstBlock(), (int) e.blockCount(), dst, at)));
            zeroFrom = e.endBlock();
        }
        zeroBlocks(dst, dstIndex, firstBlock, zeroFrom, firstBlock + blockCount);
        return reads.size() == 1 ? reads.get(0) : CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new));
    }

    /** Zeros blocks [from, to) of a read of blocks from {@code firstBlock} placed at {@code dstIndex}. */
    private static void zeroBlocks(ByteBuffer dst, int dstIndex, long firstBlock, long from, long to) {
        if (to > from) {
            ChunkReader.fillZeros(dst, dstIndex + (int) ((from - firstBlock) << ChunkFormat.BLOCK_SHIFT),
                    (int) ((to - from) << ChunkFormat.BLOCK_SHIFT));
        }
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
        OpenChunk known = open.get(id);
        if (known != null) {
            known.markUsed();
            return known.reader;
        }
        OpenChunk fresh = new OpenChunk(new CompletableFuture<>());
        OpenChunk raced = open.putIfAbsent(id, fresh);
        if (raced != null) {
            return raced.reader;
        }
        evictBeyondLimit();
        ChunkReader.open(store, id, frames).whenComplete((r, error) -> {
            if (error != null) {
                // A failed open is not kept: the next read retries it.
                open.remove(id, fresh);
                fresh.reader.completeExceptionally(error);
            } else {
                fresh.reader.complete(r);
            }
        });
        return fresh.reader;
    }

    /** Registers a chunk just written so that reading it needs no index fetch. */
    public void add(WrittenChunk written) {
        open.put(written.id(), new OpenChunk(CompletableFuture.completedFuture(ChunkReader.of(store, written, frames))));
        evictBeyondLimit();
    }

    /** Drops the cached index and frames of a chunk (after it was deleted). */
    public void forget(ChunkId id) {
        open.remove(id);
        frames.forget(id);
    }

    /** The cache of decompressed frames (for its hit counts). */
    public FrameCache frameCache() {
        return frames;
    }

    /**
     * Closes chunks until at most {@code maxOpenChunks} are open: a chunk read since the sweep last passed
     * it is spared once (its mark cleared), an unread one is dropped. Ends because every pass clears marks.
     */
    private void evictBeyondLimit() {
        if (open.size() <= maxOpenChunks) {
            return;
        }
        synchronized (eviction) {
            Iterator<Map.Entry<ChunkId, OpenChunk>> sweep = open.entrySet().iterator();
            while (open.size() > maxOpenChunks) {
                if (!sweep.hasNext()) {
                    sweep = open.entrySet().iterator();
                }
                Map.Entry<ChunkId, OpenChunk> entry = sweep.next();
                if (!entry.getValue().clearUsed()) {
                    open.remove(entry.getKey(), entry.getValue());
                }
            }
        }
    }

    /** An open (or opening) chunk and whether a read used it since the eviction sweep last passed it. */
    private static final class OpenChunk {
        final CompletableFuture<ChunkReader> reader;
        /** Not set on opening: a chunk earns its second chance by a read after the one that opened it. */
        private volatile boolean used;

        OpenChunk(CompletableFuture<ChunkReader> reader) {
            this.reader = reader;
        }

        void markUsed() {
            if (!used) {
                used = true;
            }
        }

        /** Clears the mark; returns whether it was set. */
        boolean clearUsed() {
            boolean was = used;
            used = false;
            return was;
        }
    }
}
