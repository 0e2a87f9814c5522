package io.ledgerdisk.chunk.manifest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ledgerdisk.chunk.extent.ExtentMap;
import io.ledgerdisk.chunk.format.ChunkCorruptionException;
import io.ledgerdisk.chunk.format.ChunkFormat;
import io.ledgerdisk.chunk.format.ChunkHeader;
import io.ledgerdisk.chunk.format.ChunkReader;
import io.ledgerdisk.chunk.format.ChunkWriter;
import io.ledgerdisk.chunk.format.WrittenChunk;
import io.ledgerdisk.chunk.store.ChunkId;
import io.ledgerdisk.chunk.store.MemoryChunkStore;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

class ManifestReaderTest {
    private static final int BS = ChunkFormat.BLOCK_SIZE;

    /** A chunk holding blocks [first, first+count), each filled with its address's low byte. */
    private static WrittenChunk chunk(MemoryChunkStore store, String name, long first, int count) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ChunkWriter w = new ChunkWriter(new ChunkId(name), new ChunkHeader(1, 0, 1, 0), out);
        byte[] data = new byte[count * BS];
        for (int i = 0; i < count; i++) {
            Arrays.fill(data, i * BS, (i + 1) * BS, (byte) (first + i));
        }
        w.writeBlocks(first, data, 0, count);
        WrittenChunk written = w.finish();
        store.put(written.id(), out.toByteArray()).join();
        return written;
    }

    private static ChunkDescriptor describe(WrittenChunk w) {
        return new ChunkDescriptor(w.id(), w.length(), w.index().dataBlocks(), 0, 1);
    }

    @Test
    void readsThroughTheExtentMapWithZerosForHolesAndScrubsClean() throws IOException {
        try (MemoryChunkStore store = new MemoryChunkStore()) {
            WrittenChunk a = chunk(store, "c-a", 0, 40);
            WrittenChunk b = chunk(store, "c-b", 10, 5);
            ExtentMap extents = new ExtentMap();
            extents.apply(a.id(), a.index());
            extents.apply(b.id(), b.index());
            extents.put(20, 2, null);
            Manifest m = new Manifest(1, 2, List.of(describe(a), describe(b)), extents, 1, 0);
            ManifestReader reader = new ManifestReader(store, 4);
            byte[] out = new byte[50 * BS];
            reader.readBlocks(m, 0, 50, out, 0).join();
            for (int block = 0; block < 50; block++) {
                int expected = block >= 40 || block == 20 || block == 21 ? 0 : block;
                assertEquals((byte) expected, out[block * BS + 7], "block " + block);
            }
            assertTrue(reader.verify(m).join().ok());
        }
    }

    @Test
    void scrubReportsBadFramesMissingChunksAndExtentsTheirChunkDoesNotHold() throws IOException {
        try (MemoryChunkStore store = new MemoryChunkStore()) {
            WrittenChunk a = chunk(store, "c-a", 0, 40);
            WrittenChunk b = chunk(store, "c-b", 100, 1);
            WrittenChunk gone = chunk(store, "c-gone", 200, 1);
            ExtentMap extents = new ExtentMap();
            extents.apply(a.id(), a.index());
            extents.put(100, 2, b.id());          // c-b holds block 100 only
            extents.apply(gone.id(), gone.index());
            Manifest m = new Manifest(1, 2, List.of(describe(a), describe(b), describe(gone)), extents, 1, 0);
            store.corrupt(a.id(), a.index().frameOffset(1) + 3);
            store.delete(gone.id()).join();

            ManifestReader reader = new ManifestReader(store, 4);
            ManifestScrub scrub = reader.verify(m).join();
            assertFalse(scrub.ok());
            assertEquals(3, scrub.problemCount(), scrub.toString());
            assertEquals(a.index().frameOffset(1), scrub.chunks().get(0).problems().get(0).fileOffset());

            byte[] out = new byte[BS];
            CompletionException e = assertThrows(CompletionException.class,
                    () -> reader.readBlocks(m, 17, 1, out, 0).join());
            assertInstanceOf(ChunkCorruptionException.class, e.getCause());
            reader.readBlocks(m, 3, 1, out, 0).join();
            assertArrayEquals(filled(3), out, "intact frames of a damaged chunk still read");
        }
    }

    @Test
    void neighbouringReadsHitTheFrameCacheButAScrubReadsTheStoredBytes() throws IOException {
        try (MemoryChunkStore store = new MemoryChunkStore()) {
            WrittenChunk a = chunk(store, "c-a", 0, 32);
            ExtentMap extents = new ExtentMap();
            extents.apply(a.id(), a.index());
            Manifest m = new Manifest(1, 2, List.of(describe(a)), extents, 1, 0);
            ManifestReader reader = new ManifestReader(store, 4, 1 << 20);
            byte[] out = new byte[BS];
            for (int block = 0; block < 16; block++) {
                reader.readBlocks(m, block, 1, out, 0).join();
                assertArrayEquals(filled(block), out);
            }
            assertEquals(15, reader.frameCache().hits(), "16 reads of one frame: one miss, then hits");
            store.corrupt(a.id(), a.index().frameOffset(0) + 9);
            reader.readBlocks(m, 5, 1, out, 0).join();
            assertArrayEquals(filled(5), out, "the verified frame in the cache is still right");
            assertFalse(reader.verify(m).join().ok(), "a scrub bypasses the cache and finds the damage");
        }
    }

    @Test
    void readsUnalignedBytesIntoADirectBufferAtAnIndexLeavingTheRestAlone() throws IOException {
        try (MemoryChunkStore store = new MemoryChunkStore()) {
            WrittenChunk a = chunk(store, "c-a", 0, 8);
            ExtentMap extents = new ExtentMap();
            extents.apply(a.id(), a.index());
            extents.put(3, 1, null);
            Manifest m = new Manifest(1, 2, List.of(describe(a)), extents, 1, 0);
            ManifestReader reader = new ManifestReader(store, 4);
            long offset = 2L * BS + 100;
            int length = 3 * BS;
            byte[] expected = new byte[length];
            reader.readBytes(m, offset, length, expected, 0).join();

            java.nio.ByteBuffer direct = java.nio.ByteBuffer.allocateDirect(length + 64);
            for (int i = 0; i < direct.capacity(); i++) {
                direct.put(i, (byte) 0x5a);
            }
            direct.position(7);
            reader.readBytes(m, offset, length, direct, 32).join();
            assertEquals(7, direct.position(), "position untouched");
            byte[] got = new byte[length];
            direct.get(32, got);
            assertArrayEquals(expected, got);
            assertEquals((byte) 0x5a, direct.get(31), "bytes before the index untouched");
            assertEquals((byte) 0x5a, direct.get(32 + length), "bytes after the range untouched");
            assertEquals((byte) 2, got[0], "block 2 from byte 100");
            assertEquals((byte) 0, got[BS], "block 3 is a zero extent");
        }
    }

    @Test
    void keepsAtMostItsLimitOfChunksOpenAndSparesTheOneInUse() throws IOException {
        try (MemoryChunkStore store = new MemoryChunkStore()) {
            List<WrittenChunk> chunks = new java.util.ArrayList<>();
            for (int i = 0; i < 10; i++) {
                chunks.add(chunk(store, "c-" + i, i, 1));
            }
            ManifestReader reader = new ManifestReader(store, 4, 0);
            ChunkReader hot = reader.reader(chunks.get(0).id()).join();
            ChunkReader[] first = new ChunkReader[10];
            for (int i = 1; i < 10; i++) {
                first[i] = reader.reader(chunks.get(i).id()).join();
                assertSame(hot, reader.reader(chunks.get(0).id()).join(), "a chunk read between opens stays open");
            }
            int reopened = 0;
            for (int i = 1; i < 10; i++) {
                if (reader.reader(chunks.get(i).id()).join() != first[i]) {
                    reopened++;
                }
            }
            // At most four open, the hot one among them: at most three of the nine others were still open.
            assertTrue(reopened >= 6, "only " + reopened + " of 9 chunks were closed");
        }
    }

    private static byte[] filled(int value) {
        byte[] b = new byte[BS];
        Arrays.fill(b, (byte) value);
        return b;
    }
}
