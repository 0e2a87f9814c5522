package io.ledgerdisk.chunk.format;

import io.ledgerdisk.chunk.store.ChunkId;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;

/**
 * The bytes of a chunk file: the single place that knows this layout. All integers are
 * big-endian. A chunk is immutable once written.
 *
 * <pre>
 * Chunk file
 *  +---------------------------+  0
 *  | header (64 bytes)         |
 *  +---------------------------+  64
 *  | frame 0 (stored bytes)    |  LZ4 block or raw, CRC32C in the index
 *  | frame 1                   |
 *  | ...                       |
 *  +---------------------------+  indexOffset
 *  | frame entries (24 each)   |  frameCount of them, in file order
 *  | run entries   (24 each)   |  runCount of them, sorted by first block
 *  +---------------------------+  indexOffset + indexLength
 *  | trailer (48 bytes)        |  always the last 48 bytes of the file
 *  +---------------------------+
 *
 * Header
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                     magic "LDCK" (0x4C44434B)                 |  0
 *  +-------------------------------+-------------------------------+
 *  |      format version (1)       |       flags (0, reserved)     |  4
 *  +-------------------------------+-------------------------------+
 *  |                      block size (4096)                        |  8
 *  +---------------------------------------------------------------+
 *  |                      reserved (0)                             |  12
 *  +---------------------------------------------------------------+
 *  |                      volume id (8 bytes)                      |  16
 *  +---------------------------------------------------------------+
 *  |         covered log range: from sequence, exclusive (8)       |  24
 *  +---------------------------------------------------------------+
 *  |         covered log range: to sequence, inclusive (8)         |  32
 *  +---------------------------------------------------------------+
 *  |         created, microseconds since the epoch, UTC (8)        |  40
 *  +---------------------------------------------------------------+
 *  |                      reserved (0) (12 bytes)                  |  48
 *  +---------------------------------------------------------------+
 *  |                CRC32C of header bytes 0..59                   |  60
 *  +---------------------------------------------------------------+
 *
 * Frame entry (one per frame, in file order)
 *  +---------------------------------------------------------------+
 *  |                 file offset of the frame (8)                  |  0
 *  +---------------------------------------------------------------+
 *  |                 stored (compressed) length                    |  8
 *  +---------------------------------------------------------------+
 *  |                 logical length in blocks (1..16)              |  12
 *  +---------------------------------------------------------------+
 *  |                 CRC32C of the stored bytes                    |  16
 *  +---------------+-----------------------------------------------+
 *  | encoding      |                 reserved (0)                  |  20
 *  +---------------+-----------------------------------------------+
 *   encoding 0 = raw (compression did not pay), 1 = LZ4 block
 *
 * Run entry (sorted by first block, never overlapping)
 *  +---------------------------------------------------------------+
 *  |                 first block address (8)                       |  0
 *  +---------------------------------------------------------------+
 *  |                 block count (8)                               |  8
 *  +---------------------------------------------------------------+
 *  |        frame index, or -1: the run reads as zeros             |  16
 *  +---------------------------------------------------------------+
 *  |        index of the run's first block inside the frame        |  20
 *  +---------------------------------------------------------------+
 *
 * Trailer (the last 48 bytes)
 *  +---------------------------------------------------------------+
 *  |                 index offset (8)                              |  0
 *  +---------------------------------------------------------------+
 *  |                 index length                                  |  8
 *  +---------------------------------------------------------------+
 *  |                 CRC32C of the index bytes                     |  12
 *  +---------------------------------------------------------------+
 *  |                 frame count                                   |  16
 *  +---------------------------------------------------------------+
 *  |                 run count                                     |  20
 *  +---------------------------------------------------------------+
 *  |                 data blocks stored (8)                        |  24
 *  +-------------------------------+-------------------------------+
 *  |      format version (1)       |       reserved (0)            |  32
 *  +-------------------------------+-------------------------------+
 *  |                 reserved (0)                                  |  36
 *  +---------------------------------------------------------------+
 *  |                 CRC32C of trailer bytes 0..39                 |  40
 *  +---------------------------------------------------------------+
 *  |                 magic "LDCK" (0x4C44434B)                     |  44
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * <p>Why this shape: a frame holds up to {@link #FRAME_BLOCKS} blocks (64 KiB of logical data)
 * so that LZ4 has enough context to compress while a 4 KiB read decompresses little; data that
 * does not compress is stored raw in frames of {@link #RAW_FRAME_BLOCKS} blocks. Frames
 * may hold blocks that are not adjacent in the volume; the run table says which block sits
 * where. A run never spans two frames, so a block address resolves through one binary search
 * to one frame, and once the index is known a block costs exactly ONE ranged read (the frame's
 * stored bytes). The trailer sits at a fixed distance from the end so that a reader finds the
 * index from the object size alone. Zero (trimmed) ranges are runs with frame -1 and no data.
 * The CRC32C covers stored (compressed) bytes so corruption is found before decompression.
 *
 * <p>Changing the layout means a new format version; readers refuse versions they do not know.
 */
public final class ChunkFormat {

    /** "LDCK": Ledgerdisk chunk. */
    public static final int MAGIC = 0x4C44434B;
    /** The only format version this code writes and reads. */
    public static final short VERSION = 1;
    /** Bytes per block; every run and frame is made of whole blocks. */
    public static final int BLOCK_SIZE = 4096;
    /** log2 of {@link #BLOCK_SIZE}. */
    public static final int BLOCK_SHIFT = 12;
    /** Most blocks in one frame (64 KiB of logical data). */
    public static final int FRAME_BLOCKS = 16;
    /** Most logical bytes in one frame. */
    public static final int FRAME_BYTES = FRAME_BLOCKS * BLOCK_SIZE;
    /**
     * Blocks per frame when a frame's data does not compress and is stored raw (16 KiB): nothing to
     * gain from a large frame then, and a random 4 KiB read checks a quarter as many bytes.
     */
    public static final int RAW_FRAME_BLOCKS = 4;

    /** Frame encodings. */
    public static final byte ENCODING_RAW = 0;
    public static final byte ENCODING_LZ4 = 1;
    /** Frame index of a run that reads as zeros. */
    public static final int ZERO_FRAME = -1;

    public static final int HEADER_LENGTH = 64;
    static final int HEADER_MAGIC_OFFSET = 0;
    static final int HEADER_VERSION_OFFSET = 4;
    static final int HEADER_FLAGS_OFFSET = 6;
    static final int HEADER_BLOCK_SIZE_OFFSET = 8;
    static final int HEADER_VOLUME_OFFSET = 16;
    static final int HEADER_FROM_SEQUENCE_OFFSET = 24;
    static final int HEADER_TO_SEQUENCE_OFFSET = 32;
    static final int HEADER_CREATED_OFFSET = 40;
    static final int HEADER_CRC_OFFSET = 60;

    public static final int FRAME_ENTRY_LENGTH = 24;
    static final int FRAME_FILE_OFFSET = 0;
    static final int FRAME_STORED_LENGTH_OFFSET = 8;
    static final int FRAME_BLOCKS_OFFSET = 12;
    static final int FRAME_CRC_OFFSET = 16;
    static final int FRAME_ENCODING_OFFSET = 20;

    public static final int RUN_ENTRY_LENGTH = 24;
    static final int RUN_FIRST_BLOCK_OFFSET = 0;
    static final int RUN_BLOCK_COUNT_OFFSET = 8;
    static final int RUN_FRAME_OFFSET = 16;
    static final int RUN_BLOCK_IN_FRAME_OFFSET = 20;

    public static final int TRAILER_LENGTH = 48;
    static final int TRAILER_INDEX_OFFSET = 0;
    static final int TRAILER_INDEX_LENGTH_OFFSET = 8;
    static final int TRAILER_INDEX_CRC_OFFSET = 12;
    static final int TRAILER_FRAME_COUNT_OFFSET = 16;
    static final int TRAILER_RUN_COUNT_OFFSET = 20;
    static final int TRAILER_DATA_BLOCKS_OFFSET = 24;
    static final int TRAILER_VERSION_OFFSET = 32;
    static final int TRAILER_CRC_OFFSET = 40;
    static final int TRAILER_MAGIC_OFFSET = 44;

    /** Smallest valid chunk: header, empty index, trailer. */
    public static final int MIN_CHUNK_LENGTH = HEADER_LENGTH + TRAILER_LENGTH;

    private ChunkFormat() {
    }

    /** CRC32C of {@code length} bytes of {@code bytes} from {@code offset}. */
    public static int crc32c(byte[] bytes, int offset, int length) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, offset, length);
        return (int) crc.getValue();
    }

    /** CRC32C of the remaining bytes of {@code bytes}; its position is left unchanged. */
    public static int crc32c(ByteBuffer bytes) {
        CRC32C crc = new CRC32C();
        crc.update(bytes.duplicate());
        return (int) crc.getValue();
    }

    /** The 64 header bytes for {@code header}. */
    public static byte[] encodeHeader(ChunkHeader header) {
        ByteBuffer b = ByteBuffer.allocate(HEADER_LENGTH).order(ByteOrder.BIG_ENDIAN);
        b.putInt(HEADER_MAGIC_OFFSET, MAGIC);
        b.putShort(HEADER_VERSION_OFFSET, VERSION);
        b.putShort(HEADER_FLAGS_OFFSET, (short) 0);
        b.putInt(HEADER_BLOCK_SIZE_OFFSET, BLOCK_SIZE);
        b.putLong(HEADER_VOLUME_OFFSET, header.volumeId());
        b.putLong(HEADER_FROM_SEQUENCE_OFFSET, header.fromSequence());
        b.putLong(HEADER_TO_SEQUENCE_OFFSET, header.toSequence());
        b.putLong(HEADER_CREATED_OFFSET, header.createdMicros());
        byte[] bytes = b.array();
        b.putInt(HEADER_CRC_OFFSET, crc32c(bytes, 0, HEADER_CRC_OFFSET));
        return bytes;
    }

    /**
     * Parses and checks the header in {@code bytes[offset..offset+64)}.
     *
     * @throws ChunkCorruptionException on a wrong magic, version, block size or CRC
     */
    public static ChunkHeader decodeHeader(ChunkId id, byte[] bytes, int offset) {
        if (bytes.length - offset < HEADER_LENGTH) {
            throw new ChunkCorruptionException(id, 0, "header truncated to " + (bytes.length - offset) + " bytes");
        }
        ByteBuffer b = ByteBuffer.wrap(bytes, offset, HEADER_LENGTH).slice();
        if (b.getInt(HEADER_MAGIC_OFFSET) != MAGIC) {
            throw new ChunkCorruptionException(id, 0, String.format("bad header magic 0x%08x", b.getInt(HEADER_MAGIC_OFFSET)));
        }
        int crc = crc32c(bytes, offset, HEADER_CRC_OFFSET);
        if (crc != b.getInt(HEADER_CRC_OFFSET)) {
            throw new ChunkCorruptionException(id, 0, "header CRC32C mismatch");
        }
        short version = b.getShort(HEADER_VERSION_OFFSET);
        if (version != VERSION) {
            throw new ChunkCorruptionException(id, HEADER_VERSION_OFFSET,
                    "unknown chunk format version " + version + " (this build reads " + VERSION + ")");
        }
        if (b.getInt(HEADER_BLOCK_SIZE_OFFSET) != BLOCK_SIZE) {
            throw new ChunkCorruptionException(id, HEADER_BLOCK_SIZE_OFFSET,
                    "block size " + b.getInt(HEADER_BLOCK_SIZE_OFFSET) + ", expected " + BLOCK_SIZE);
        }
        return new ChunkHeader(b.getLong(HEADER_VOLUME_OFFSET), b.getLong(HEADER_FROM_SEQUENCE_OFFSET),
                b.getLong(HEADER_TO_SEQUENCE_OFFSET), b.getLong(HEADER_CREATED_OFFSET));
    }

    /** Index bytes (frame entries then run entries) for {@code index}. */
    public static byte[] encodeIndex(ChunkIndex index) {
        int frames = index.frameCount();
        int runs = index.runCount();
        ByteBuffer b = ByteBuffer.allocate(indexLength(frames, runs)).order(ByteOrder.BIG_ENDIAN);
        for (int f = 0; f < frames; f++) {
            int base = f * FRAME_ENTRY_LENGTH;
            b.putLong(base + FRAME_FILE_OFFSET, index.frameOffset(f));
            b.putInt(base + FRAME_STORED_LENGTH_OFFSET, index.frameStoredLength(f));
            b.putInt(base + FRAME_BLOCKS_OFFSET, index.frameBlocks(f));
            b.putInt(base + FRAME_CRC_OFFSET, index.frameCrc(f));
            b.put(base + FRAME_ENCODING_OFFSET, index.frameEncoding(f));
        }
        int runBase = frames * FRAME_ENTRY_LENGTH;
        for (int r = 0; r < runs; r++) {
            int base = runBase + r * RUN_ENTRY_LENGTH;
            b.putLong(base + RUN_FIRST_BLOCK_OFFSET, index.runFirstBlock(r));
            b.putLong(base + RUN_BLOCK_COUNT_OFFSET, index.runBlockCount(r));
            b.putInt(base + RUN_FRAME_OFFSET, index.runFrame(r));
            b.putInt(base + RUN_BLOCK_IN_FRAME_OFFSET, index.runBlockInFrame(r));
        }
        return b.array();
    }

    /** Length of an index with this many frames and runs. */
    public static int indexLength(int frames, int runs) {
        return frames * FRAME_ENTRY_LENGTH + runs * RUN_ENTRY_LENGTH;
    }

    /** The 48 trailer bytes. */
    public static byte[] encodeTrailer(ChunkTrailer trailer) {
        ByteBuffer b = ByteBuffer.allocate(TRAILER_LENGTH).order(ByteOrder.BIG_ENDIAN);
        b.putLong(TRAILER_INDEX_OFFSET, trailer.indexOffset());
        b.putInt(TRAILER_INDEX_LENGTH_OFFSET, trailer.indexLength());
        b.putInt(TRAILER_INDEX_CRC_OFFSET, trailer.indexCrc());
        b.putInt(TRAILER_FRAME_COUNT_OFFSET, trailer.frameCount());
        b.putInt(TRAILER_RUN_COUNT_OFFSET, trailer.runCount());
        b.putLong(TRAILER_DATA_BLOCKS_OFFSET, trailer.dataBlocks());
        b.putShort(TRAILER_VERSION_OFFSET, VERSION);
        b.putInt(TRAILER_MAGIC_OFFSET, MAGIC);
        byte[] bytes = b.array();
        b.putInt(TRAILER_CRC_OFFSET, crc32c(bytes, 0, TRAILER_CRC_OFFSET));
        return bytes;
    }

    /**
     * Parses and checks the trailer in {@code bytes[offset..offset+48)} of a chunk whose total
     * length is {@code chunkLength}.
     *
     * @throws ChunkCorruptionException if the trailer is not a valid trailer for that length
     */
    public static ChunkTrailer decodeTrailer(ChunkId id, long chunkLength, byte[] bytes, int offset) {
        long at = chunkLength - TRAILER_LENGTH;
        if (chunkLength < MIN_CHUNK_LENGTH) {
            throw new ChunkCorruptionException(id, 0, "chunk is " + chunkLength
                    + " bytes, shorter than the smallest chunk (" + MIN_CHUNK_LENGTH + ")");
        }
        ByteBuffer b = ByteBuffer.wrap(bytes, offset, TRAILER_LENGTH).slice();
        if (b.getInt(TRAILER_MAGIC_OFFSET) != MAGIC) {
            throw new ChunkCorruptionException(id, at + TRAILER_MAGIC_OFFSET,
                    String.format("bad trailer magic 0x%08x (truncated upload?)", b.getInt(TRAILER_MAGIC_OFFSET)));
        }
        if (crc32c(bytes, offset, TRAILER_CRC_OFFSET) != b.getInt(TRAILER_CRC_OFFSET)) {
            throw new ChunkCorruptionException(id, at, "trailer CRC32C mismatch");
        }
        short version = b.getShort(TRAILER_VERSION_OFFSET);
        if (version != VERSION) {
            throw new ChunkCorruptionException(id, at + TRAILER_VERSION_OFFSET,
                    "unknown chunk format version " + version + " (this build reads " + VERSION + ")");
        }
        ChunkTrailer t = new ChunkTrailer(b.getLong(TRAILER_INDEX_OFFSET), b.getInt(TRAILER_INDEX_LENGTH_OFFSET),
                b.getInt(TRAILER_INDEX_CRC_OFFSET), b.getInt(TRAILER_FRAME_COUNT_OFFSET),
                b.getInt(TRAILER_RUN_COUNT_OFFSET), b.getLong(TRAILER_DATA_BLOCKS_OFFSET));
        if (t.frameCount() < 0 || t.runCount() < 0
                || (long) t.frameCount() * FRAME_ENTRY_LENGTH + (long) t.runCount() * RUN_ENTRY_LENGTH != t.indexLength()
                || t.indexOffset() < HEADER_LENGTH || t.indexOffset() + t.indexLength() != at) {
            throw new ChunkCorruptionException(id, at, "trailer describes an index (offset " + t.indexOffset()
                    + ", length " + t.indexLength() + ", " + t.frameCount() + " frames, " + t.runCount()
                    + " runs) that does not fit a " + chunkLength + "-byte chunk");
        }
        return t;
    }

    /**
     * Parses and checks the index bytes {@code bytes[offset..offset+trailer.indexLength())}.
     *
     * @throws ChunkCorruptionException on a CRC mismatch or entries that contradict each other
     */
    public static ChunkIndex decodeIndex(ChunkId id, ChunkTrailer trailer, byte[] bytes, int offset) {
        if (crc32c(bytes, offset, trailer.indexLength()) != trailer.indexCrc()) {
            throw new ChunkCorruptionException(id, trailer.indexOffset(), "index CRC32C mismatch");
        }
        ByteBuffer b = ByteBuffer.wrap(bytes, offset, trailer.indexLength()).slice();
        int frames = trailer.frameCount();
        int runs = trailer.runCount();
        long[] frameOffset = new long[frames];
        int[] frameStored = new int[frames];
        int[] frameBlocks = new int[frames];
        int[] frameCrc = new int[frames];
        byte[] frameEncoding = new byte[frames];
        long expectedOffset = HEADER_LENGTH;
        for (int f = 0; f < frames; f++) {
            int base = f * FRAME_ENTRY_LENGTH;
            frameOffset[f] = b.getLong(base + FRAME_FILE_OFFSET);
            frameStored[f] = b.getInt(base + FRAME_STORED_LENGTH_OFFSET);
            frameBlocks[f] = b.getInt(base + FRAME_BLOCKS_OFFSET);
            frameCrc[f] = b.getInt(base + FRAME_CRC_OFFSET);
            frameEncoding[f] = b.get(base + FRAME_ENCODING_OFFSET);
            if (frameOffset[f] != expectedOffset || frameStored[f] <= 0
                    || frameBlocks[f] < 1 || frameBlocks[f] > FRAME_BLOCKS
                    || (frameEncoding[f] != ENCODING_RAW && frameEncoding[f] != ENCODING_LZ4)
                    || (frameEncoding[f] == ENCODING_RAW && frameStored[f] != frameBlocks[f] * BLOCK_SIZE)) {
                throw new ChunkCorruptionException(id, trailer.indexOffset() + base, "frame entry " + f + " is invalid");
            }
            expectedOffset += frameStored[f];
        }
        if (expectedOffset != trailer.indexOffset()) {
            throw new ChunkCorruptionException(id, trailer.indexOffset(), "frames end at " + expectedOffset
                    + " but the index starts at " + trailer.indexOffset());
        }
        long[] runFirst = new long[runs];
        long[] runCount = new long[runs];
        int[] runFrame = new int[runs];
        int[] runBlockInFrame = new int[runs];
        int runBase = frames * FRAME_ENTRY_LENGTH;
        long previousEnd = Long.MIN_VALUE;
        for (int r = 0; r < runs; r++) {
            int base = runBase + r * RUN_ENTRY_LENGTH;
            runFirst[r] = b.getLong(base + RUN_FIRST_BLOCK_OFFSET);
            runCount[r] = b.getLong(base + RUN_BLOCK_COUNT_OFFSET);
            runFrame[r] = b.getInt(base + RUN_FRAME_OFFSET);
            runBlockInFrame[r] = b.getInt(base + RUN_BLOCK_IN_FRAME_OFFSET);
            boolean valid = runFirst[r] >= 0 && runCount[r] > 0 && runFirst[r] >= previousEnd;
            if (valid && runFrame[r] != ZERO_FRAME) {
                valid = runFrame[r] >= 0 && runFrame[r] < frames && runBlockInFrame[r] >= 0
                        && runBlockInFrame[r] + runCount[r] <= frameBlocks[runFrame[r]];
            }
            if (!valid) {
                throw new ChunkCorruptionException(id, trailer.indexOffset() + base, "run entry " + r + " is invalid");
            }
            previousEnd = runFirst[r] + runCount[r];
        }
        return new ChunkIndex(frameOffset, frameStored, frameBlocks, frameCrc, frameEncoding,
                runFirst, runCount, runFrame, runBlockInFrame, trailer.dataBlocks());
    }
}
