package io.ledgerdisk.chunk.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MappedChunkFilesTest {

    @TempDir
    Path dir;

    private Path file(String name) throws Exception {
        return Files.write(dir.resolve(name), new byte[] {1, 2, 3, 4, 5});
    }

    private static byte[] bytes(ByteBuffer view) {
        byte[] out = new byte[view.remaining()];
        view.duplicate().get(out);
        return out;
    }

    @Test
    void keepsRecentMappingsAndDropsTheLeastRecentlyUsed() throws Exception {
        MappedChunkFiles files = new MappedChunkFiles(2);
        ChunkId a = new ChunkId("c-a");
        ChunkId b = new ChunkId("c-b");
        ChunkId c = new ChunkId("c-c");
        MappedByteBuffer first = files.mapping(a, file("a"));
        assertSame(first, files.mapping(a, dir.resolve("a")), "a second read reuses the mapping");
        MappedByteBuffer second = files.mapping(b, file("b"));
        files.mapping(a, dir.resolve("a"));
        files.mapping(c, file("c"));
        assertNotNull(files.residentRange(a, 0, 1), "a was used more recently than b");
        assertNull(files.residentRange(b, 0, 1), "b, the least recently used, was dropped");
        assertNotSame(second, files.mapping(b, dir.resolve("b")), "a dropped file is mapped again");
    }

    @Test
    void residentRangesAreViewedAndOthersAreLeftToTheStoreThreads() throws Exception {
        MappedChunkFiles files = new MappedChunkFiles(4);
        ChunkId a = new ChunkId("c-a");
        assertNull(files.residentRange(a, 0, 1), "a chunk not mapped yet: no I/O on the caller's thread");
        assertArrayEquals(new byte[] {2, 3}, files.read(a, file("a"), 1, 2));
        // Just written, so the page cache holds the file.
        assertArrayEquals(new byte[] {2, 3, 4}, bytes(files.residentRange(a, 1, 3)));
        assertNull(files.residentRange(a, 3, 5), "a range past the end is the slow path's to report");
        assertThrows(ChunkStoreException.class, () -> files.read(a, dir.resolve("a"), 3, 5));
        ByteBuffer held = files.residentRange(a, 0, 2);
        assertTrue(held.isReadOnly(), "readers get a view they cannot write through");
        files.forget(a);
        assertNull(files.residentRange(a, 0, 1));
        Files.delete(dir.resolve("a"));
        assertArrayEquals(new byte[] {1, 2}, bytes(held), "a view outlives its chunk's deletion");
    }
}
