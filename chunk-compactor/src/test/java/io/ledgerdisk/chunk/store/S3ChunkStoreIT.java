package io.ledgerdisk.chunk.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ledgerdisk.chunk.compaction.CompactionConfig;
import io.ledgerdisk.chunk.compaction.Compactor;
import io.ledgerdisk.chunk.compaction.FoldResult;
import io.ledgerdisk.chunk.format.ChunkReader;
import io.ledgerdisk.chunk.format.WrittenChunk;
import io.ledgerdisk.chunk.manifest.Manifest;
import io.ledgerdisk.chunk.manifest.ManifestReader;
import io.ledgerdisk.chunk.testsupport.S3ProxyProcess;
import io.ledgerdisk.journal.record.LogRecord;
import io.ledgerdisk.journal.record.RecordType;
import io.netty.buffer.Unpooled;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The S3 chunk store against a real S3-compatible server (s3proxy in its own process). */
class S3ChunkStoreIT {
    @TempDir
    static Path dir;
    private static S3ProxyProcess s3;
    private static S3ChunkStore store;

    @BeforeAll
    static void startServer() {
        s3 = S3ProxyProcess.start(dir.resolve("s3proxy"));
        store = S3ChunkStore.open(S3ChunkStoreConfig.of(s3.endpoint(), "chunks", S3ProxyProcess.IDENTITY,
                S3ProxyProcess.CREDENTIAL).withRetries(40, Duration.ofMillis(100), Duration.ofMillis(500)));
        store.createBucketIfMissing();
    }

    @AfterAll
    static void stopServer() {
        if (store != null) {
            store.close();
        }
        if (s3 != null) {
            s3.close();
        }
    }

    @Test
    void putRangeSizeListDelete() {
        ChunkId id = new ChunkId("c-basic");
        byte[] data = new byte[100_000];
        new Random(1).nextBytes(data);
        store.put(id, data).join();
        assertEquals(100_000L, store.size(id).join());
        assertArrayEquals(java.util.Arrays.copyOfRange(data, 4_096, 8_192), store.getRange(id, 4_096, 4_096).join());
        assertTrue(store.list().join().stream().anyMatch(c -> c.id().equals(id) && c.length() == 100_000));
        CompletionException pastEnd = assertThrows(CompletionException.class,
                () -> store.getRange(id, 99_000, 2_000).join());
        assertInstanceOf(ChunkStoreException.class, pastEnd.getCause());
        store.delete(id).join();
        CompletionException gone = assertThrows(CompletionException.class, () -> store.size(id).join());
        assertInstanceOf(ChunkNotFoundException.class, gone.getCause());
        assertFalse(store.list().join().stream().anyMatch(c -> c.id().equals(id)));
    }

    @Test
    void foldIntoS3ThroughTheCacheAndReadBack() {
        try (CachingChunkStore cached = CachingChunkStore.open(new NonClosing(store), dir.resolve("cache"), 64L << 20)) {
            ManifestReader reader = new ManifestReader(cached, 16);
            Compactor compactor = new Compactor(reader, CompactionConfig.defaults().withTargetChunkBytes(256 * 1024),
                    Runnable::run, System::currentTimeMillis);
            byte[] volume = new byte[1 << 20];
            new Random(5).nextBytes(volume);
            List<LogRecord> records = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                records.add(new LogRecord(3, i + 1, i, RecordType.WRITE, i * 65_536L, 65_536,
                        Unpooled.wrappedBuffer(volume, i * 65_536, 65_536)));
            }
            FoldResult r = compactor.fold(Manifest.empty(3, 0), records, 16).join();
            assertEquals(4, r.written().size(), "1 MiB in 256 KiB chunks");
            for (WrittenChunk w : r.written()) {
                assertTrue(ChunkReader.verify(store, w.id()).join().ok(), "chunk in S3 verifies");
            }
            // A fresh reader must fetch indexes and frames; they come from the cache after the first miss.
            ManifestReader fresh = new ManifestReader(cached, 16);
            byte[] out = new byte[volume.length];
            fresh.readBytes(r.manifest(), 0, out.length, out, 0).join();
            assertArrayEquals(volume, out);
            assertTrue(cached.hits() > 0, "hits " + cached.hits() + ", misses " + cached.misses());
        }
    }

    @Test
    void putsAndReadsDuringAnOutageRetryAndSucceedOnceTheServerIsBack() throws Exception {
        ChunkId before = new ChunkId("c-before-outage");
        store.put(before, new byte[] {1, 2, 3}).join();
        s3.stop();
        try {
            ChunkId during = new ChunkId("c-during-outage");
            CompletableFuture<Void> put = store.put(during, new byte[] {4, 5, 6, 7});
            CompletableFuture<byte[]> read = store.getRange(before, 1, 2);
            Thread.sleep(1_500);
            assertFalse(put.isDone(), "the put keeps retrying while the server is down");
            assertFalse(read.isDone());
            s3.restart();
            put.get(30, java.util.concurrent.TimeUnit.SECONDS);
            assertArrayEquals(new byte[] {2, 3}, read.get(30, java.util.concurrent.TimeUnit.SECONDS));
            assertArrayEquals(new byte[] {4, 5, 6, 7}, store.getRange(during, 0, 4).join());
        } finally {
            if (!s3.isRunning()) {
                s3.restart();
            }
        }
    }

    @Test
    void aStoreWithoutRetriesFailsWithAClearError() {
        s3.stop();
        try (S3ChunkStore impatient = S3ChunkStore.open(S3ChunkStoreConfig.of(s3.endpoint(), "chunks",
                S3ProxyProcess.IDENTITY, S3ProxyProcess.CREDENTIAL).withRetries(2, Duration.ofMillis(10),
                Duration.ofMillis(10)))) {
            CompletionException e = assertThrows(CompletionException.class,
                    () -> impatient.size(new ChunkId("c-x")).join());
            assertInstanceOf(ChunkStoreException.class, e.getCause());
            assertTrue(e.getCause().getMessage().contains("c-x") && e.getCause().getMessage().contains("chunks"),
                    e.getCause().getMessage());
        } finally {
            s3.restart();
        }
    }

    /** Lets a test wrap the shared store in a cache without the cache closing it. */
    private record NonClosing(ChunkStore delegate) implements ChunkStore {
        @Override
        public CompletableFuture<Void> put(ChunkId id, byte[] bytes) {
            return delegate.put(id, bytes);
        }

        @Override
        public CompletableFuture<Void> put(ChunkId id, Path file) {
            return delegate.put(id, file);
        }

        @Override
        public CompletableFuture<byte[]> getRange(ChunkId id, long offset, int length) {
            return delegate.getRange(id, offset, length);
        }

        @Override
        public CompletableFuture<Long> size(ChunkId id) {
            return delegate.size(id);
        }

        @Override
        public CompletableFuture<Void> delete(ChunkId id) {
            return delegate.delete(id);
        }

        @Override
        public CompletableFuture<List<StoredChunk>> list() {
            return delegate.list();
        }

        @Override
        public void close() {
            // The shared store is closed by @AfterAll.
        }
    }
}
