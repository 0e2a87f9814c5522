package io.ledgerdisk.chunk.format;

import io.ledgerdisk.chunk.store.ChunkId;
import io.ledgerdisk.chunk.store.ChunkStore;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import net.jpountz.lz4.LZ4Exception;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4SafeDecompressor;

/**
 * Reads blocks out of one chunk file in a {@link ChunkStore}: the index once (on
 * {@link #open}), then one ranged read per frame, each checked against its CRC32C before it is
 * decompressed. A mismatch fails the read with {@link ChunkCorruptionException}; bad data is
 * never returned.
 *
 * <p>Thread-safe: immutable after opening; reads may run concurrently.
 */
public final class ChunkReader {
    /** Bytes read from the end of a chunk on open; a 4 MiB chunk's index fits in far less. */
    private static final int TAIL_READ = 16 * 1024;
    private static final LZ4SafeDecompressor DECOMPRESSOR = LZ4Factory.fastestInstance().safeDecompressor();
    private static final FrameCache NO_CACHE = new FrameCache(0);
    private static final byte[] ZEROS = new byte[ChunkFormat.BLOCK_SIZE * 16];

    private final ChunkStore store;
    private final ChunkId id;
    private final ChunkHeader header;
    private final ChunkIndex index;
    private final long length;
    private final FrameCache cache;

    private ChunkReader(ChunkStore store, ChunkId id, ChunkHeader header, ChunkIndex index, long length,
            FrameCache cache) {
        this.store = store;
        this.id = id;
        this.header = header;
        this.index = index;
        this.length = length;
        this.cache = cache;
    }

    /** A reader for a chunk just written, without reading its index back from the store. */
    public static ChunkReader of(ChunkStore store, WrittenChunk written) {
        return of(store, written, NO_CACHE);
    }

    /** Like {@link #of(ChunkStore, WrittenChunk)}, keeping decompressed frames in {@code cache}. */
    public static ChunkReader of(ChunkStore store, WrittenChunk written, FrameCache cache) {
        return new ChunkReader(store, written.id(), written.header(), written.index(), written.length(),
                Objects.requireNonNull(cache, "cache"));
    }

    /** Opens a stored chunk: reads and checks its header, trailer and index (two or three reads). */
    public static CompletableFuture<ChunkReader> open(ChunkStore store, ChunkId id) {
        return open(store, id, NO_CACHE);
    }

    /** Like {@link #open(ChunkStore, ChunkId)}; block reads keep decompressed frames in {@code cache}. */
    public static CompletableFuture<ChunkReader> open(ChunkStore store, ChunkId id, FrameCache cache) {
        Objects.requireNonNull(cache, "cache");
        Objects.requireNonNull(store, "store");
        Objects.requireNonNull(id, "id");
        return store.size(id).thenCompose(length -> {
            if (length < ChunkFormat.MIN_CHUNK_LENGTH) {
                throw new ChunkCorruptionException(id, 0, "chunk is " + length
                        + " bytes, shorter than the smallest chunk (" + ChunkFormat.MIN_CHUNK_LENGTH + ")");
            }
            int tailLength = (int) Math.min(length, TAIL_READ);
            long tailOffset = length - tailLength;
            CompletableFuture<ChunkHeader> header = store.getRange(id, 0, ChunkFormat.HEADER_LENGTH)
                    .thenApply(bytes -> ChunkFormat.decodeHeader(id, bytes, 0));
            CompletableFuture<ChunkIndex> index = store.getRange(id, tailOffset, tailLength).thenCompose(tail -> {
                ChunkTrailer trailer = ChunkFormat.decodeTrailer(id, length, tail, tailLength - ChunkFormat.TRAILER_LENGTH);
                if (trailer.indexOffset() >= tailOffset) {
                    return CompletableFuture.completedFuture(
                            ChunkFormat.decodeIndex(id, trailer, tail, (int) (trailer.indexOffset() - tailOffset)));
                }
                return store.getRange(id, trailer.indexOffset(), trailer.indexLength())
                        .thenApply(bytes -> ChunkFormat.decodeIndex(id, trailer, bytes, 0));
            });
            return header.thenCombine(index, (h, i) -> new ChunkReader(store, id, h, i, length, cache));
        });
    }

    /**
     * Scrubs a stored chunk: checks header, trailer and index, then reads every frame and
     * checks its CRC32C and that it decompresses to its logical length. Never fails because of
     * corruption: every problem found is in the result (a store error still fails the future).
     */
    public static CompletableFuture<ChunkVerification> verify(ChunkStore store, ChunkId id) {
        return open(store, id).handle((reader, error) -> {
            if (error == null) {
                return reader.verify();
            }
            Throwable cause = unwrap(error);
            if (cause instanceof ChunkCorruptionException corrupt) {
                return CompletableFuture.completedFuture(new ChunkVerification(id, 0, List.of(corrupt)));
            }
            return CompletableFuture.<ChunkVerification>failedFuture(cause);
        }).thenCompose(f -> f);
    }

    public ChunkId id() {
        return id;
    }

    public ChunkHeader header() {
        return header;
    }

    public ChunkIndex index() {
        return index;
    }

    /** File length in bytes. */
    public long length() {
        return length;
    }

    /** Scrubs every frame of this chunk (see {@link #verify(ChunkStore, ChunkId)}). */
    public CompletableFuture<ChunkVerification> verify() {
        int frames = index.frameCount();
        List<CompletableFuture<ChunkCorruptionException>> checks = new ArrayList<>(frames);
        for (int f = 0; f < frames; f++) {
            checks.add(readFrame(f).handle((data, error) -> {
                if (error == null) {
                    return null;
                }
                Throwable cause = unwrap(error);
                if (cause instanceof ChunkCorruptionException corrupt) {
                    return corrupt;
                }
                throw new CompletionException(cause);
            }));
        }
        return CompletableFuture.allOf(checks.toArray(CompletableFuture[]::new)).thenApply(v -> {
            List<ChunkCorruptionException> problems = new ArrayList<>();
            for (CompletableFuture<ChunkCorruptionException> check : checks) {
                ChunkCorruptionException problem = check.join();
                if (problem != null) {
                    problems.add(problem);
                }
            }
            return new ChunkVerification(id, frames, problems);
        });
    }

    /**
     * A frame's logical bytes: from the cache, or read, checked, decompressed and then cached. When the
     * store holds the frame in memory already (a page-cache-resident local file) the whole read runs on
     * the caller's thread and the future is complete on return: a hand-off to the store's threads and
     * back cost several times the read itself. Such a frame, if stored raw, is checked in place and not
     * cached at all (its CRC32C costs less than a cache entry's allocation and garbage collection); a
     * compressed one is decompressed once and cached.
     */
    private CompletableFuture<ByteBuffer> frameBytes(int frame) {
        boolean raw = index.frameEncoding(frame) == ChunkFormat.ENCODING_RAW;
        // A resident raw frame is read in place and never cached, so its cache lookup comes after.
        if (!raw) {
            byte[] hit = cache.get(id, frame);
            if (hit != null) {
                return CompletableFuture.completedFuture(ByteBuffer.wrap(hit));
            }
        }
        ByteBuffer resident = residentFrame(frame);
        if (resident != null) {
            try {
                checkCrc(frame, ChunkFormat.crc32c(resident), resident.remaining());
                if (raw) {
                    return CompletableFuture.completedFuture(resident);
                }
                byte[] data = decompress(frame, resident);
                cache.put(id, frame, data);
                return CompletableFuture.completedFuture(ByteBuffer.wrap(data));
            } catch (ChunkCorruptionException corrupt) {
                return CompletableFuture.failedFuture(corrupt);
            }
        }
        byte[] hit = raw ? cache.get(id, frame) : null;
        if (hit != null) {
            return CompletableFuture.completedFuture(ByteBuffer.wrap(hit));
        }
        return readFrame(frame).thenApply(data -> {
            cache.put(id, frame, data);
            return ByteBuffer.wrap(data);
        });
    }

    private ByteBuffer residentFrame(int frame) {
        return store.residentRange(id, index.frameOffset(frame), index.frameStoredLength(frame));
    }

    /**
     * Reads one frame with one ranged read, never from the cache (a scrub must see the stored
     * bytes); the result holds its logical (decompressed) bytes.
     */
    public CompletableFuture<byte[]> readFrame(int frame) {
        Objects.checkIndex(frame, index.frameCount());
        long offset = index.frameOffset(frame);
        int stored = index.frameStoredLength(frame);
        return store.getRange(id, offset, stored).thenApply(bytes -> decodeFrame(frame, bytes));
    }

    private byte[] decodeFrame(int frame, byte[] stored) {
        checkCrc(frame, ChunkFormat.crc32c(stored, 0, stored.length), stored.length);
        if (index.frameEncoding(frame) == ChunkFormat.ENCODING_RAW) {
            return stored;
        }
        return decompress(frame, ByteBuffer.wrap(stored));
    }

    private void checkCrc(int frame, int crc, int storedLength) {
        if (crc != index.frameCrc(frame)) {
            throw new ChunkCorruptionException(id, index.frameOffset(frame), "frame " + frame + " CRC32C mismatch ("
                    + storedLength + " stored bytes)");
        }
    }

    /** Decompresses a checked LZ4 frame (its remaining bytes) into its logical bytes. */
    private byte[] decompress(int frame, ByteBuffer stored) {
        long offset = index.frameOffset(frame);
        int logical = index.frameBlocks(frame) * ChunkFormat.BLOCK_SIZE;
        byte[] out = new byte[logical];
        int n;
        try {
            n = DECOMPRESSOR.decompress(stored, stored.position(), stored.remaining(), ByteBuffer.wrap(out), 0, logical);
        } catch (LZ4Exception e) {
            throw new ChunkCorruptionException(id, offset, "frame " + frame + " is not valid LZ4 although its CRC32C"
                    + " matches (written by a faulty writer?): " + e.getMessage());
        }
        if (n != logical) {
            throw new ChunkCorruptionException(id, offset, "frame " + frame + " decompresses to " + n
                    + " bytes, expected " + logical);
        }
        return out;
    }

    /**
     * Reads {@code blockCount} blocks from {@code firstBlock} into {@code dst[dstOffset ..]}.
     *
     * @see #readBlocks(long, int, ByteBuffer, int)
     */
    public CompletableFuture<Void> readBlocks(long firstBlock, int blockCount, byte[] dst, int dstOffset) {
        return readBlocks(firstBlock, blockCount, ByteBuffer.wrap(dst), dstOffset);
    }

    /**
     * Reads {@code blockCount} blocks from {@code firstBlock} into {@code dst} from its absolute index
     * {@code dstIndex} (the range must end within its limit; its position is left alone, so a reply's direct
     * buffer is filled in place).
     * Blocks the chunk declares as zeros are zero-filled without I/O; each frame touched costs
     * one ranged read unless the reader's {@link FrameCache} holds it. Every block must be held by this chunk.
     *
     * @throws IllegalArgumentException if the chunk does not hold one of the blocks (the
     *     extent map that sent the read here is wrong)
     */
    public CompletableFuture<Void> readBlocks(long firstBlock, int blockCount, ByteBuffer dst, int dstIndex) {
        Objects.checkFromIndexSize(dstIndex, blockCount * ChunkFormat.BLOCK_SIZE, dst.limit());
        // Segments: (block, count, frame, blockInFrame) per stretch of one run.
        List<long[]> segments = new ArrayList<>();
        long block = firstBlock;
        long end = firstBlock + blockCount;
        while (block < end) {
            int run = index.findRun(block);
            if (run < 0) {
                throw new IllegalArgumentException("chunk " + id + " does not hold block " + block
                        + "; the extent map that pointed here is inconsistent");
            }
            long runEnd = index.runFirstBlock(run) + index.runBlockCount(run);
            long n = Math.min(runEnd, end) - block;
            long inFrame = index.runBlockInFrame(run) + (block - index.runFirstBlock(run));
            segments.add(new long[] {block, n, index.runFrame(run), inFrame});
            block += n;
        }
        // The frames to read, each once (a plain loop: a stream here cost more than the 4 KiB read's copy).
        int[] frames = new int[segments.size()];
        int frameCount = 0;
        for (long[] s : segments) {
            int frame = (int) s[2];
            if (frame >= 0 && indexOf(frames, frameCount, frame) < 0) {
                frames[frameCount++] = frame;
            }
        }
        @SuppressWarnings("unchecked")
        CompletableFuture<ByteBuffer>[] reads = new CompletableFuture[frameCount];
        for (int i = 0; i < frameCount; i++) {
            reads[i] = frameBytes(frames[i]);
        }
        int readCount = frameCount;
        return CompletableFuture.allOf(reads).thenRun(() -> {
            for (long[] s : segments) {
                int at = dstIndex + (int) ((s[0] - firstBlock) << ChunkFormat.BLOCK_SHIFT);
                int len = (int) (s[1] << ChunkFormat.BLOCK_SHIFT);
                if (s[2] == ChunkFormat.ZERO_FRAME) {
                    fillZeros(dst, at, len);
                } else {
                    ByteBuffer frame = reads[indexOf(frames, readCount, (int) s[2])].join();
                    dst.put(at, frame, frame.position() + (int) (s[3] << ChunkFormat.BLOCK_SHIFT), len);
                }
            }
        });
    }

    /** Writes {@code length} zero bytes into {@code dst} from its absolute index {@code index}. */
    public static void fillZeros(ByteBuffer dst, int index, int length) {
        for (int done = 0; done < length; done += ZEROS.length) {
            dst.put(index + done, ZEROS, 0, Math.min(ZEROS.length, length - done));
        }
    }

    /** Where {@code value} is among the first {@code count} of {@code values}, or -1. */
    private static int indexOf(int[] values, int count, int value) {
        for (int i = 0; i < count; i++) {
            if (values[i] == value) {
                return i;
            }
        }
        return -1;
    }

    /** The real failure inside a future's wrapper exception. */
    static Throwable unwrap(Throwable error) {
        Throwable t = error;
        while ((t instanceof CompletionException || t instanceof java.util.concurrent.ExecutionException)
                && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}
