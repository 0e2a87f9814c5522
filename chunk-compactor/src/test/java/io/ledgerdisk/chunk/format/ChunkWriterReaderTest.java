package io.ledgerdisk.chunk.format;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ledgerdisk.chunk.store.ChunkId;
import io.ledgerdisk.chunk.store.LocalChunkStore;
import io.ledgerdisk.chunk.store.MemoryChunkStore;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChunkWriterReaderTest {
    private static final int BS = ChunkFormat.BLOCK_SIZE;
    private static final ChunkHeader HEADER = new ChunkHeader(3, 10, 20, 1_000);

    /** A block whose bytes depend on its address, half random (incompressible), half text. */
    static byte[] block(long address) {
        byte[] b = new byte[BS];
        new Random(address).nextBytes(b);
        byte[] text = ("block " + address + " ").getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        for (int i = BS / 2; i < BS; i++) {
            b[i] = text[i % text.length];
        }
        return b;
    }

    static byte[] blocks(long first, int count) {
        byte[] out = new byte[count * BS];
        for (int i = 0; i < count; i++) {
            System.arraycopy(block(first + i), 0, out, i * BS, BS);
        }
        return out;
    }

    /** A chunk with a long run (spanning frames), scattered single blocks and zero ranges. */
    private static byte[] sampleChunk(ChunkId id, WrittenChunk[] written) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ChunkWriter w = new ChunkWriter(id, HEADER, out);
        w.writeBlocks(5, blocks(5, 40), 0, 40);      // blocks 5..44, spans three frames
        w.writeZeros(45, 1_000_000);                  // a big trim, no data
        w.writeBlocks(2_000_000, blocks(2_000_000, 1), 0, 1);
        w.writeBlocks(2_000_007, blocks(2_000_007, 3), 0, 3);
        byte[] same = new byte[BS * 2];               // compressible: all 0x11
        java.util.Arrays.fill(same, (byte) 0x11);
        w.writeBlocks(3_000_000, same, 0, 2);
        written[0] = w.finish();
        return out.toByteArray();
    }

    @Test
    void roundTripThroughMemoryStore() throws IOException {
        ChunkId id = new ChunkId("c-roundtrip");
        WrittenChunk[] written = new WrittenChunk[1];
        byte[] file = sampleChunk(id, written);
        assertEquals(file.length, written[0].length());
        assertEquals(46, written[0].index().dataBlocks());
        assertEquals(1_000_000, written[0].index().zeroBlocks());

        MemoryChunkStore store = new MemoryChunkStore();
        store.put(id, file).join();
        ChunkReader reader = ChunkReader.open(store, id).join();
        assertEquals(HEADER, reader.header());
        assertEquals(written[0].index().runCount(), reader.index().runCount());
        assertEquals(3, reader.index().frameCount(), "46 data blocks pack into frames of 16, 16 and 14");

        byte[] run = new byte[40 * BS];
        reader.readBlocks(5, 40, run, 0).join();
        assertArrayEquals(blocks(5, 40), run);

        byte[] one = new byte[BS];
        reader.readBlocks(2_000_008, 1, one, 0).join();
        assertArrayEquals(block(2_000_008), one);

        byte[] zeros = new byte[3 * BS];
        java.util.Arrays.fill(zeros, (byte) 1);
        reader.readBlocks(44, 3, zeros, 0).join();
        assertArrayEquals(block(44), java.util.Arrays.copyOf(zeros, BS));
        assertArrayEquals(new byte[2 * BS], java.util.Arrays.copyOfRange(zeros, BS, 3 * BS));

        byte[] compressible = new byte[2 * BS];
        reader.readBlocks(3_000_000, 2, compressible, 0).join();
        assertEquals(0x11, compressible[2 * BS - 1]);

        assertTrue(reader.index().covers(45, 1_000_000));
        assertFalse(reader.index().covers(2_000_000, 2));
        assertThrows(IllegalArgumentException.class, () -> reader.readBlocks(2_000_001, 1, one, 0));
        assertTrue(reader.verify().join().ok());
    }

    @Test
    void compressibleFramesAreStoredSmallerAndRandomFramesRaw() throws IOException {
        ChunkId id = new ChunkId("c-encodings");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ChunkWriter w = new ChunkWriter(id, HEADER, out);
        byte[] random = new byte[16 * BS];
        new Random(1).nextBytes(random);
        w.writeBlocks(0, random, 0, 16);
        w.writeBlocks(16, new byte[16 * BS], 0, 16);
        ChunkIndex index = w.finish().index();
        // Random data: raw, split into frames of RAW_FRAME_BLOCKS blocks.
        int rawFrames = 16 / ChunkFormat.RAW_FRAME_BLOCKS;
        for (int f = 0; f < rawFrames; f++) {
            assertEquals(ChunkFormat.ENCODING_RAW, index.frameEncoding(f));
            assertEquals(ChunkFormat.RAW_FRAME_BLOCKS * BS, index.frameStoredLength(f));
        }
        assertEquals(ChunkFormat.ENCODING_LZ4, index.frameEncoding(rawFrames));
        assertTrue(index.frameStoredLength(rawFrames) < 1024, "zero blocks compress to almost nothing");
    }

    @Test
    void runsOfARawFrameAreSplitAtItsPiecesAndReadBack() throws IOException {
        ChunkId id = new ChunkId("c-rawsplit");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ChunkWriter w = new ChunkWriter(id, HEADER, out);
        // One frame's worth of incompressible blocks in odd runs, with zero runs between them.
        w.writeBlocks(10, randomBlocks(10, 3), 0, 3);
        w.writeZeros(13, 2);
        w.writeBlocks(15, randomBlocks(15, 7), 0, 7);
        w.writeZeros(22, 1);
        w.writeBlocks(100, randomBlocks(100, 6), 0, 6);
        w.writeBlocks(200, randomBlocks(200, 5), 0, 5);   // spills into the next frame
        WrittenChunk written = w.finish();
        MemoryChunkStore store = new MemoryChunkStore();
        store.put(id, out.toByteArray()).join();
        ChunkReader reader = ChunkReader.open(store, id).join();
        assertEquals(written.index().frameCount(), reader.index().frameCount());
        assertEquals(ChunkFormat.ENCODING_RAW, reader.index().frameEncoding(0));
        assertEquals(ChunkFormat.RAW_FRAME_BLOCKS, reader.index().frameBlocks(0));
        long[][] expected = {{10, 3}, {15, 7}, {100, 6}, {200, 5}};
        for (long[] run : expected) {
            byte[] dst = new byte[(int) run[1] * BS];
            reader.readBlocks(run[0], (int) run[1], dst, 0).join();
            assertArrayEquals(randomBlocks(run[0], (int) run[1]), dst, "blocks from " + run[0]);
        }
        byte[] zeros = new byte[2 * BS];
        reader.readBlocks(13, 2, zeros, 0).join();
        assertArrayEquals(new byte[2 * BS], zeros);
        assertTrue(reader.verify().join().ok());
    }

    /** Incompressible blocks whose bytes depend on their address. */
    private static byte[] randomBlocks(long first, int count) {
        byte[] out = new byte[count * BS];
        for (int i = 0; i < count; i++) {
            byte[] b = new byte[BS];
            new Random(first + i * 31L).nextBytes(b);
            System.arraycopy(b, 0, out, i * BS, BS);
        }
        return out;
    }

    @Test
    void flippedByteInAFrameFailsTheReadNamingChunkAndOffsetAndScrubFindsEveryBadFrame() throws IOException {
        ChunkId id = new ChunkId("c-corrupt");
        WrittenChunk[] written = new WrittenChunk[1];
        byte[] file = sampleChunk(id, written);
        MemoryChunkStore store = new MemoryChunkStore();
        store.put(id, file).join();
        ChunkIndex index = written[0].index();
        long frame1 = index.frameOffset(1);
        long frame2 = index.frameOffset(2);
        store.corrupt(id, frame1 + 100);
        store.corrupt(id, frame2 + 1);

        ChunkReader reader = ChunkReader.open(store, id).join();
        byte[] dst = new byte[BS];
        CompletionException e = assertThrows(CompletionException.class,
                () -> reader.readBlocks(5 + 16, 1, dst, 0).join());
        ChunkCorruptionException corrupt = assertInstanceOf(ChunkCorruptionException.class, e.getCause());
        assertEquals(id, corrupt.chunkId());
        assertEquals(frame1, corrupt.fileOffset());
        assertTrue(corrupt.getMessage().contains("c-corrupt") && corrupt.getMessage().contains("offset " + frame1),
                corrupt.getMessage());

        // Frames that are intact still read.
        reader.readBlocks(5, 1, dst, 0).join();
        assertArrayEquals(block(5), dst);

        ChunkVerification report = ChunkReader.verify(store, id).join();
        assertFalse(report.ok());
        assertEquals(3, report.framesChecked());
        assertEquals(2, report.problems().size());
        assertEquals(frame1, report.problems().get(0).fileOffset());
        assertEquals(frame2, report.problems().get(1).fileOffset());
    }

    @Test
    void corruptIndexIsReportedByScrubNotThrown() throws IOException {
        ChunkId id = new ChunkId("c-badindex");
        WrittenChunk[] written = new WrittenChunk[1];
        byte[] file = sampleChunk(id, written);
        MemoryChunkStore store = new MemoryChunkStore();
        store.put(id, file).join();
        store.corrupt(id, file.length - ChunkFormat.TRAILER_LENGTH - 5);
        ChunkVerification report = ChunkReader.verify(store, id).join();
        assertEquals(1, report.problems().size());
        assertTrue(report.problems().get(0).getMessage().contains("index CRC32C"), report.problems().get(0).getMessage());
    }

    @Test
    void roundTripThroughLocalDirectoryStore(@TempDir Path dir) throws IOException {
        ChunkId id = new ChunkId("c-local");
        WrittenChunk[] written = new WrittenChunk[1];
        byte[] file = sampleChunk(id, written);
        Path source = dir.resolve("source.chunk");
        Files.write(source, file);
        try (LocalChunkStore store = LocalChunkStore.open(dir.resolve("chunks"), 2)) {
            store.put(id, source).join();
            ChunkReader reader = ChunkReader.open(store, id).join();
            byte[] dst = new byte[3 * BS];
            reader.readBlocks(2_000_007, 3, dst, 0).join();
            assertArrayEquals(blocks(2_000_007, 3), dst);
        }
    }

    @Test
    void pageCacheResidentFramesAreReadAndCheckedOnTheCallersThread(@TempDir Path dir) throws IOException {
        ChunkId id = new ChunkId("c-resident");
        WrittenChunk[] written = new WrittenChunk[1];
        byte[] file = sampleChunk(id, written);
        try (LocalChunkStore store = LocalChunkStore.open(dir, 1)) {
            store.put(id, file).join();
            ChunkReader reader = ChunkReader.open(store, id, new FrameCache(0)).join();
            byte[] dst = new byte[3 * BS];
            var read = reader.readBlocks(2_000_007, 3, dst, 0);
            assertTrue(read.isDone(), "a resident frame needs no hand-off to the store's threads");
            read.join();
            assertArrayEquals(blocks(2_000_007, 3), dst);
            byte[] compressed = new byte[2 * BS];
            var lz4 = reader.readBlocks(3_000_000, 2, compressed, 0);
            assertTrue(lz4.isDone(), "an LZ4 frame in the page cache is decompressed inline too");
            lz4.join();
            byte[] same = new byte[2 * BS];
            java.util.Arrays.fill(same, (byte) 0x11);
            assertArrayEquals(same, compressed);

            // The mapping sees the file as it is now: a flipped byte fails the read, inline as well.
            int frame = reader.index().runFrame(reader.index().findRun(5));
            long at = reader.index().frameOffset(frame) + 10;
            try (var channel = java.nio.channels.FileChannel.open(store.pathOf(id), java.nio.file.StandardOpenOption.WRITE)) {
                channel.write(java.nio.ByteBuffer.wrap(new byte[] {(byte) ~file[(int) at]}), at);
            }
            var bad = reader.readBlocks(5, 1, new byte[BS], 0);
            assertTrue(bad.isDone());
            CompletionException e = assertThrows(CompletionException.class, bad::join);
            assertInstanceOf(ChunkCorruptionException.class, e.getCause());
        }
    }

    @Test
    void blocksOutOfOrderAreRefused() throws IOException {
        ChunkWriter w = new ChunkWriter(new ChunkId("c-order"), HEADER, new ByteArrayOutputStream());
        w.writeBlocks(10, blocks(10, 2), 0, 2);
        assertThrows(IllegalArgumentException.class, () -> w.writeBlocks(11, blocks(11, 1), 0, 1));
        assertThrows(IllegalArgumentException.class, () -> w.writeZeros(5, 1));
    }
}
