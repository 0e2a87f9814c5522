package io.ledgerdisk.chunk.format;

import io.ledgerdisk.chunk.store.ChunkId;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Objects;
import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Factory;

/**
 * Writes one chunk file (see {@link ChunkFormat}) to an output stream, from blocks given in
 * ascending address order.
 *
 * <p>Data blocks are packed into frames of up to {@link ChunkFormat#FRAME_BLOCKS} blocks, each
 * LZ4-compressed (or stored raw when compression does not pay) and CRC32C-checked; zero ranges
 * are recorded as runs without data. The caller must give blocks in strictly ascending,
 * non-overlapping order: that is what makes the run table sorted and one lookup per block.
 *
 * <p>Not thread-safe: one writer per chunk, used by one thread. Reuses its buffers, so a
 * compressed frame allocates nothing (a raw one copies the few runs it re-points), and a
 * {@link Scratch} passed from chunk to chunk saves their allocation per chunk.
 */
public final class ChunkWriter {
    private static final LZ4Compressor COMPRESSOR = LZ4Factory.fastestInstance().fastCompressor();

    private final ChunkId id;
    private final ChunkHeader header;
    private final OutputStream out;
    private final byte[] frame;
    private final byte[] compressed;
    private int frameFill;
    private long position;
    private long nextBlock;
    private long dataBlocks;
    private boolean finished;

    private int frameCount;
    private long[] frameOffset = new long[16];
    private int[] frameStored = new int[16];
    private int[] frameBlocks = new int[16];
    private int[] frameCrc = new int[16];
    private byte[] frameEncoding = new byte[16];

    private int runCount;
    private long[] runFirst = new long[16];
    private long[] runBlocks = new long[16];
    private int[] runFrame = new int[16];
    private int[] runBlockInFrame = new int[16];

    /**
     * The frame-sized buffers a writer packs and compresses frames in. Writers that run one after another
     * (a fold's chunks) can share one, so that a chunk does not start by allocating and zeroing them.
     */
    public static final class Scratch {
        private final byte[] frame = new byte[ChunkFormat.FRAME_BYTES];
        private final byte[] compressed = new byte[COMPRESSOR.maxCompressedLength(ChunkFormat.FRAME_BYTES)];
    }

    /** Starts a chunk by writing its header to {@code out}. */
    public ChunkWriter(ChunkId id, ChunkHeader header, OutputStream out) throws IOException {
        this(id, header, out, new Scratch());
    }

    /**
     * Starts a chunk by writing its header to {@code out}, packing frames in {@code scratch}, which no
     * other unfinished writer may use.
     */
    public ChunkWriter(ChunkId id, ChunkHeader header, OutputStream out, Scratch scratch) throws IOException {
        this.id = Objects.requireNonNull(id, "id");
        this.header = Objects.requireNonNull(header, "header");
        this.out = Objects.requireNonNull(out, "out");
        this.frame = scratch.frame;
        this.compressed = scratch.compressed;
        byte[] h = ChunkFormat.encodeHeader(header);
        out.write(h);
        position = h.length;
    }

    /**
     * Adds {@code blockCount} blocks starting at volume block {@code firstBlock}, taken from
     * {@code src[srcOffset ..]}.
     */
    public void writeBlocks(long firstBlock, byte[] src, int srcOffset, int blockCount) throws IOException {
        Objects.checkFromIndexSize(srcOffset, blockCount * ChunkFormat.BLOCK_SIZE, src.length);
        writeBlocks(firstBlock, ByteBuffer.wrap(src, srcOffset, blockCount * ChunkFormat.BLOCK_SIZE).slice(), blockCount);
    }

    /**
     * Adds {@code blockCount} blocks starting at volume block {@code firstBlock}, taken from
     * {@code src} at absolute indexes 0 onwards (its position and limit are not used or changed).
     */
    public void writeBlocks(long firstBlock, ByteBuffer src, int blockCount) throws IOException {
        checkOrder(firstBlock, blockCount);
        Objects.checkFromIndexSize(0, blockCount * ChunkFormat.BLOCK_SIZE, src.capacity());
        long block = firstBlock;
        int from = 0;
        int remaining = blockCount;
        while (remaining > 0) {
            int n = Math.min(ChunkFormat.FRAME_BLOCKS - frameFill, remaining);
            src.get(from, frame, frameFill * ChunkFormat.BLOCK_SIZE, n * ChunkFormat.BLOCK_SIZE);
            int last = runCount - 1;
            if (last >= 0 && runFrame[last] == frameCount && runFirst[last] + runBlocks[last] == block) {
                runBlocks[last] += n;
            } else {
                addRun(block, n, frameCount, frameFill);
            }
            frameFill += n;
            block += n;
            from += n * ChunkFormat.BLOCK_SIZE;
            remaining -= n;
            if (frameFill == ChunkFormat.FRAME_BLOCKS) {
                flushFrame();
            }
        }
        dataBlocks += blockCount;
        nextBlock = firstBlock + blockCount;
    }

    /** Records that {@code blockCount} blocks from {@code firstBlock} read as zeros. */
    public void writeZeros(long firstBlock, long blockCount) {
        checkOrder(firstBlock, blockCount);
        int last = runCount - 1;
        if (last >= 0 && runFrame[last] == ChunkFormat.ZERO_FRAME && runFirst[last] + runBlocks[last] == firstBlock) {
            runBlocks[last] += blockCount;
        } else {
            addRun(firstBlock, blockCount, ChunkFormat.ZERO_FRAME, 0);
        }
        nextBlock = firstBlock + blockCount;
    }

    /** Data blocks added so far. */
    public long dataBlocks() {
        return dataBlocks;
    }

    /** Bytes written to the stream so far (the index and trailer come on {@link #finish()}). */
    public long position() {
        return position;
    }

    /** Writes the last frame, the index and the trailer; the stream is flushed, not closed. */
    public WrittenChunk finish() throws IOException {
        if (finished) {
            throw new IllegalStateException("chunk " + id + " is already finished");
        }
        finished = true;
        if (frameFill > 0) {
            flushFrame();
        }
        ChunkIndex index = new ChunkIndex(
                Arrays.copyOf(frameOffset, frameCount), Arrays.copyOf(frameStored, frameCount),
                Arrays.copyOf(frameBlocks, frameCount), Arrays.copyOf(frameCrc, frameCount),
                Arrays.copyOf(frameEncoding, frameCount),
                Arrays.copyOf(runFirst, runCount), Arrays.copyOf(runBlocks, runCount),
                Arrays.copyOf(runFrame, runCount), Arrays.copyOf(runBlockInFrame, runCount), dataBlocks);
        byte[] indexBytes = ChunkFormat.encodeIndex(index);
        long indexOffset = position;
        out.write(indexBytes);
        byte[] trailer = ChunkFormat.encodeTrailer(new ChunkTrailer(indexOffset, indexBytes.length,
                ChunkFormat.crc32c(indexBytes, 0, indexBytes.length), frameCount, runCount, dataBlocks));
        out.write(trailer);
        out.flush();
        position += indexBytes.length + trailer.length;
        return new WrittenChunk(id, header, index, position);
    }

    private void checkOrder(long firstBlock, long blockCount) {
        if (finished) {
            throw new IllegalStateException("chunk " + id + " is already finished");
        }
        if (blockCount <= 0 || firstBlock < nextBlock) {
            throw new IllegalArgumentException("chunk " + id + ": blocks must be added in ascending order without"
                    + " overlap; got " + blockCount + " blocks at " + firstBlock + " after block " + (nextBlock - 1));
        }
    }

    private void addRun(long first, long count, int frameIndex, int blockInFrame) {
        if (runCount == runFirst.length) {
            int n = runCount * 2;
            runFirst = Arrays.copyOf(runFirst, n);
            runBlocks = Arrays.copyOf(runBlocks, n);
            runFrame = Arrays.copyOf(runFrame, n);
            runBlockInFrame = Arrays.copyOf(runBlockInFrame, n);
        }
        runFirst[runCount] = first;
        runBlocks[runCount] = count;
        runFrame[runCount] = frameIndex;
        runBlockInFrame[runCount] = blockInFrame;
        runCount++;
    }

    private void flushFrame() throws IOException {
        int logical = frameFill * ChunkFormat.BLOCK_SIZE;
        int stored = COMPRESSOR.compress(frame, 0, logical, compressed, 0, compressed.length);
        if (stored >= logical) {
            // Incompressible data is stored raw, and in smaller frames: decompressing it would only cost
            // time, and a random 4 KiB read then checks the CRC32C of 16 KiB instead of 64.
            flushRawFrames();
        } else {
            appendFrame(compressed, stored, frameFill, ChunkFormat.ENCODING_LZ4, 0);
        }
        frameFill = 0;
    }

    /**
     * Writes the frame being filled as raw frames of {@link ChunkFormat#RAW_FRAME_BLOCKS} blocks and
     * re-points its runs (recorded against one frame) at the pieces, splitting runs that cross one.
     */
    private void flushRawFrames() throws IOException {
        int current = frameCount;
        int first = runCount;
        while (first > 0 && (runFrame[first - 1] == current || runFrame[first - 1] == ChunkFormat.ZERO_FRAME)) {
            first--;
        }
        int tail = runCount - first;
        long[] tailFirst = Arrays.copyOfRange(runFirst, first, runCount);
        long[] tailBlocks = Arrays.copyOfRange(runBlocks, first, runCount);
        int[] tailFrame = Arrays.copyOfRange(runFrame, first, runCount);
        int[] tailInFrame = Arrays.copyOfRange(runBlockInFrame, first, runCount);
        runCount = first;
        for (int r = 0; r < tail; r++) {
            if (tailFrame[r] != current) {
                addRun(tailFirst[r], tailBlocks[r], tailFrame[r], tailInFrame[r]);
                continue;
            }
            long block = tailFirst[r];
            int inFrame = tailInFrame[r];
            long left = tailBlocks[r];
            while (left > 0) {
                int piece = inFrame / ChunkFormat.RAW_FRAME_BLOCKS;
                int inPiece = inFrame % ChunkFormat.RAW_FRAME_BLOCKS;
                int take = (int) Math.min(left, ChunkFormat.RAW_FRAME_BLOCKS - inPiece);
                addRun(block, take, current + piece, inPiece);
                block += take;
                inFrame += take;
                left -= take;
            }
        }
        for (int from = 0; from < frameFill; from += ChunkFormat.RAW_FRAME_BLOCKS) {
            int blocks = Math.min(ChunkFormat.RAW_FRAME_BLOCKS, frameFill - from);
            appendFrame(frame, blocks * ChunkFormat.BLOCK_SIZE, blocks, ChunkFormat.ENCODING_RAW,
                    from * ChunkFormat.BLOCK_SIZE);
        }
    }

    private void appendFrame(byte[] bytes, int stored, int blocks, byte encoding, int from) throws IOException {
        if (frameCount == frameOffset.length) {
            int n = frameCount * 2;
            frameOffset = Arrays.copyOf(frameOffset, n);
            frameStored = Arrays.copyOf(frameStored, n);
            frameBlocks = Arrays.copyOf(frameBlocks, n);
            frameCrc = Arrays.copyOf(frameCrc, n);
            frameEncoding = Arrays.copyOf(frameEncoding, n);
        }
        frameOffset[frameCount] = position;
        frameStored[frameCount] = stored;
        frameBlocks[frameCount] = blocks;
        frameCrc[frameCount] = ChunkFormat.crc32c(bytes, from, stored);
        frameEncoding[frameCount] = encoding;
        frameCount++;
        out.write(bytes, from, stored);
        position += stored;
    }
}
