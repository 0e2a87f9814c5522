package io.ledgerdisk.chunk.format;

import java.util.Arrays;

/**
 * A chunk's parsed index: where each frame lies in the file and which volume blocks each run
 * holds. Immutable; safe to share between threads and to cache per chunk.
 *
 * <p>Held as parallel primitive arrays rather than objects per run: an index is cached for
 * every open chunk, and a lookup is a binary search that allocates nothing.
 */
public final class ChunkIndex {
    private final long[] frameOffset;
    private final int[] frameStoredLength;
    private final int[] frameBlocks;
    private final int[] frameCrc;
    private final byte[] frameEncoding;
    private final long[] runFirstBlock;
    private final long[] runBlockCount;
    private final int[] runFrame;
    private final int[] runBlockInFrame;
    private final long dataBlocks;

    ChunkIndex(long[] frameOffset, int[] frameStoredLength, int[] frameBlocks, int[] frameCrc, byte[] frameEncoding,
            long[] runFirstBlock, long[] runBlockCount, int[] runFrame, int[] runBlockInFrame, long dataBlocks) {
        this.frameOffset = frameOffset;
        this.frameStoredLength = frameStoredLength;
        this.frameBlocks = frameBlocks;
        this.frameCrc = frameCrc;
        this.frameEncoding = frameEncoding;
        this.runFirstBlock = runFirstBlock;
        this.runBlockCount = runBlockCount;
        this.runFrame = runFrame;
        this.runBlockInFrame = runBlockInFrame;
        this.dataBlocks = dataBlocks;
    }

    public int frameCount() {
        return frameOffset.length;
    }

    public long frameOffset(int frame) {
        return frameOffset[frame];
    }

    public int frameStoredLength(int frame) {
        return frameStoredLength[frame];
    }

    public int frameBlocks(int frame) {
        return frameBlocks[frame];
    }

    public int frameCrc(int frame) {
        return frameCrc[frame];
    }

    public byte frameEncoding(int frame) {
        return frameEncoding[frame];
    }

    public int runCount() {
        return runFirstBlock.length;
    }

    public long runFirstBlock(int run) {
        return runFirstBlock[run];
    }

    public long runBlockCount(int run) {
        return runBlockCount[run];
    }

    /** The run's frame, or {@link ChunkFormat#ZERO_FRAME} if the run reads as zeros. */
    public int runFrame(int run) {
        return runFrame[run];
    }

    public int runBlockInFrame(int run) {
        return runBlockInFrame[run];
    }

    /** Blocks stored with data. */
    public long dataBlocks() {
        return dataBlocks;
    }

    /** Blocks the chunk declares as zeros. */
    public long zeroBlocks() {
        long zeros = 0;
        for (int r = 0; r < runFrame.length; r++) {
            if (runFrame[r] == ChunkFormat.ZERO_FRAME) {
                zeros += runBlockCount[r];
            }
        }
        return zeros;
    }

    /** The run that holds {@code block}, or -1 if the chunk says nothing about that block. */
    public int findRun(long block) {
        int i = Arrays.binarySearch(runFirstBlock, block);
        if (i < 0) {
            i = -i - 2;
        }
        if (i < 0 || block >= runFirstBlock[i] + runBlockCount[i]) {
            return -1;
        }
        return i;
    }

    /** Whether the chunk holds (as data or zeros) every block of {@code [first, first+count)}. */
    public boolean covers(long first, long count) {
        long block = first;
        long end = first + count;
        while (block < end) {
            int r = findRun(block);
            if (r < 0) {
                return false;
            }
            block = runFirstBlock[r] + runBlockCount[r];
        }
        return true;
    }

    /** Index bytes this object holds on the heap, roughly; for cache accounting. */
    public long heapBytes() {
        return 64 + frameOffset.length * 21L + runFirstBlock.length * 24L;
    }
}
