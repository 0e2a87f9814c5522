package io.ledgerdisk.chunk.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChunkStoreConfigTest {

    @Test
    void defaultsToALocalDirectoryUnderTheDataDirectory(@TempDir Path data) {
        ChunkStoreConfig c = ChunkStoreConfig.fromProperties(Map.of("other.key", "x"), data);
        assertEquals(ChunkStoreConfig.Kind.LOCAL, c.kind());
        assertEquals(data.resolve("chunks"), c.directory());
        try (ChunkStore store = c.open()) {
            assertInstanceOf(LocalChunkStore.class, store);
            store.put(new ChunkId("c-1"), new byte[] {1}).join();
            assertEquals(1L, store.size(new ChunkId("c-1")).join());
        }
    }

    @Test
    void s3SettingsAreReadAndTheSecretIsNeverPrinted(@TempDir Path data) {
        ChunkStoreConfig c = ChunkStoreConfig.fromProperties(Map.of("chunks.store", "s3", "chunks.s3.bucket", "pool1",
                "chunks.s3.endpoint", "http://127.0.0.1:9000", "chunks.s3.access-key", "AK",
                "chunks.s3.secret-key", "very-secret", "chunks.cache.bytes", "0"), data);
        assertEquals(ChunkStoreConfig.Kind.S3, c.kind());
        assertEquals(URI.create("http://127.0.0.1:9000"), c.s3().endpoint());
        assertTrue(c.s3().pathStyle(), "path-style is the default with an explicit endpoint");
        assertEquals(0, c.cacheBytes());
        assertFalse(c.toString().contains("very-secret"), c.toString());

        ChunkStoreConfig aws = ChunkStoreConfig.fromProperties(Map.of("chunks.store", "s3", "chunks.s3.bucket", "b"), data);
        assertNull(aws.s3().endpoint());
        assertNull(aws.s3().accessKeyId(), "credentials come from the environment");
        assertEquals(data.resolve("chunk-cache"), aws.cacheDirectory());
    }

    @Test
    void byteSizesTakeBinarySuffixesAndTheFrameCacheDefaultsTo256MiB(@TempDir Path data) {
        assertEquals(ChunkStoreConfig.DEFAULT_FRAME_CACHE_BYTES,
                ChunkStoreConfig.fromProperties(Map.of(), data).frameCacheBytes());
        ChunkStoreConfig c = ChunkStoreConfig.fromProperties(Map.of("chunks.frame-cache.bytes", "64m",
                "chunks.store", "s3", "chunks.s3.bucket", "b", "chunks.cache.bytes", "2G"), data);
        assertEquals(64L << 20, c.frameCacheBytes());
        assertEquals(2L << 30, c.cacheBytes());
        assertEquals(4096, ChunkStoreConfig.fromProperties(Map.of("chunks.frame-cache.bytes", "4096"), data).frameCacheBytes());
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> ChunkStoreConfig.fromProperties(Map.of("chunks.frame-cache.bytes", "lots"), data));
        assertTrue(bad.getMessage().contains("chunks.frame-cache.bytes"), bad.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> ChunkStoreConfig.fromProperties(Map.of("chunks.frame-cache.bytes", "M"), data));
        assertThrows(IllegalArgumentException.class,
                () -> ChunkStoreConfig.fromProperties(Map.of("chunks.frame-cache.bytes", "-1"), data));
    }

    @Test
    void mistakesAreReportedByKey(@TempDir Path data) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ChunkStoreConfig.fromProperties(Map.of("chunks.store", "s3"), data));
        assertTrue(e.getMessage().contains("chunks.s3.bucket"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> ChunkStoreConfig.fromProperties(Map.of("chunks.stroe", "s3"), data));
        assertTrue(e.getMessage().contains("chunks.stroe"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> ChunkStoreConfig.fromProperties(Map.of("chunks.threads", "many"), data));
        assertTrue(e.getMessage().contains("chunks.threads"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ChunkStoreConfig.fromProperties(
                Map.of("chunks.store", "s3", "chunks.s3.bucket", "b", "chunks.s3.access-key", "only-half"), data));
        assertTrue(e.getMessage().contains("secret"), e.getMessage());
    }
}
