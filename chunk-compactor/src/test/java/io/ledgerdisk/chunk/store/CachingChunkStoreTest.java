package io.ledgerdisk.chunk.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CachingChunkStoreTest {

    private static byte[] bytes(int length, int seed) {
        byte[] b = new byte[length];
        new Random(seed).nextBytes(b);
        return b;
    }

    @Test
    void firstReadFetchesTheChunkOnceAndLaterReadsAreLocal(@TempDir Path dir) {
        MemoryChunkStore remote = new MemoryChunkStore();
        ChunkId id = new ChunkId("c-one");
        byte[] data = bytes(10_000, 1);
        remote.put(id, data).join();
        try (CachingChunkStore cache = CachingChunkStore.open(remote, dir, 100_000)) {
            assertArrayEquals(java.util.Arrays.copyOfRange(data, 100, 300), cache.getRange(id, 100, 200).join());
            assertEquals(1, cache.misses());
            assertTrue(cache.isCached(id));
            remote.delete(id).join();
            assertArrayEquals(java.util.Arrays.copyOfRange(data, 9_000, 10_000), cache.getRange(id, 9_000, 1_000).join());
            assertEquals(1, cache.hits(), "served although the remote copy is gone: it came from the cache");
        }
    }

    @Test
    void leastRecentlyUsedChunksAreEvictedPastTheBudgetAndTheCacheSurvivesReopening(@TempDir Path dir) {
        MemoryChunkStore remote = new MemoryChunkStore();
        ChunkId a = new ChunkId("c-a");
        ChunkId b = new ChunkId("c-b");
        ChunkId c = new ChunkId("c-c");
        try (CachingChunkStore cache = CachingChunkStore.open(remote, dir, 25_000)) {
            cache.put(a, bytes(6_000, 1)).join();
            cache.put(b, bytes(6_000, 2)).join();
            cache.getRange(a, 0, 10).join();                 // a is now the most recently used
            cache.put(c, bytes(6_000, 3)).join();
            cache.put(new ChunkId("c-d"), bytes(6_000, 4)).join();
            cache.put(new ChunkId("c-e"), bytes(6_000, 5)).join();
            assertFalse(cache.isCached(b), "b was the least recently used");
            assertTrue(cache.isCached(a));
            assertTrue(cache.cachedBytes() <= 25_000);
            assertFalse(Files.exists(dir.resolve("c-b")));
        }
        try (CachingChunkStore reopened = CachingChunkStore.open(new MemoryChunkStore(), dir, 25_000)) {
            assertTrue(reopened.isCached(a));
            assertEquals(6_000, reopened.size(a).join());
        }
    }

    @Test
    void chunksTooBigForTheCachePassThrough(@TempDir Path dir) {
        MemoryChunkStore remote = new MemoryChunkStore();
        ChunkId big = new ChunkId("c-big");
        remote.put(big, bytes(50_000, 9)).join();
        try (CachingChunkStore cache = CachingChunkStore.open(remote, dir, 100_000)) {
            assertEquals(100, cache.getRange(big, 0, 100).join().length);
            assertFalse(cache.isCached(big));
        }
    }
}
