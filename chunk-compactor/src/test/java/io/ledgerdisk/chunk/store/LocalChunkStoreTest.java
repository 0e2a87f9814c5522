package io.ledgerdisk.chunk.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalChunkStoreTest {

    @Test
    void putReadListDeleteAndLeftoverTempFilesAreRemovedOnOpen(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve(".tmp-c-crashed-1"), "half a chunk");
        Files.writeString(dir.resolve("README"), "not a chunk name");
        try (LocalChunkStore store = LocalChunkStore.open(dir, 2)) {
            assertFalse(Files.exists(dir.resolve(".tmp-c-crashed-1")), "a crashed put's temp file is removed");
            ChunkId id = new ChunkId("c-1");
            store.put(id, new byte[] {1, 2, 3, 4, 5}).join();
            assertArrayEquals(new byte[] {2, 3}, store.getRange(id, 1, 2).join());
            assertEquals(5L, store.size(id).join());
            List<StoredChunk> listed = store.list().join();
            assertEquals(1, listed.size(), "only chunk names are listed: " + listed);
            assertTrue(listed.get(0).modifiedMillis() > 0);

            CompletionException pastEnd = assertThrows(CompletionException.class, () -> store.getRange(id, 3, 5).join());
            assertInstanceOf(ChunkStoreException.class, pastEnd.getCause());

            store.delete(id).join();
            store.delete(id).join();
            CompletionException missing = assertThrows(CompletionException.class, () -> store.getRange(id, 0, 1).join());
            assertInstanceOf(ChunkNotFoundException.class, missing.getCause());
            try (var files = Files.list(dir)) {
                assertTrue(files.noneMatch(p -> p.getFileName().toString().startsWith(".tmp-")), "no temp file stays behind");
            }
        }
    }

    @Test
    void aReadChunkServesResidentRangesOnTheCallersThread(@TempDir Path dir) {
        try (LocalChunkStore store = LocalChunkStore.open(dir, 1)) {
            ChunkId id = new ChunkId("c-1");
            store.put(id, new byte[] {1, 2, 3, 4, 5}).join();
            assertNull(store.residentRange(id, 0, 5), "a chunk not read yet is not mapped: no I/O on the caller's thread");
            assertArrayEquals(new byte[] {2, 3}, store.getRange(id, 1, 2).join());
            java.nio.ByteBuffer view = store.residentRange(id, 2, 3);
            byte[] viewed = new byte[view.remaining()];
            view.get(viewed);
            assertArrayEquals(new byte[] {3, 4, 5}, viewed);
            assertNull(store.residentRange(id, 4, 2), "past the end: left to getRange, which reports it");
            store.delete(id).join();
            assertNull(store.residentRange(id, 0, 1), "a deleted chunk is not served");
        }
    }

    @Test
    void aClosedStoreFailsWithAClearError(@TempDir Path dir) {
        LocalChunkStore store = LocalChunkStore.open(dir, 1);
        store.close();
        CompletionException e = assertThrows(CompletionException.class, () -> store.size(new ChunkId("c-1")).join());
        assertTrue(e.getCause().getMessage().contains("closed"), e.getCause().getMessage());
    }
}
