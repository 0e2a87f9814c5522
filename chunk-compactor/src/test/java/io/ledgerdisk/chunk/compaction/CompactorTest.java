package io.ledgerdisk.chunk.compaction;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ledgerdisk.chunk.extent.Extent;
import io.ledgerdisk.chunk.format.ChunkReader;
import io.ledgerdisk.chunk.format.WrittenChunk;
import io.ledgerdisk.chunk.manifest.ChunkDescriptor;
import io.ledgerdisk.chunk.manifest.Manifest;
import io.ledgerdisk.chunk.manifest.ManifestFormat;
import io.ledgerdisk.chunk.manifest.ManifestReader;
import io.ledgerdisk.chunk.store.ChunkId;
import io.ledgerdisk.chunk.store.LocalChunkStore;
import io.ledgerdisk.chunk.store.MemoryChunkStore;
import io.ledgerdisk.journal.record.LogRecord;
import io.ledgerdisk.journal.record.RecordType;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CompactorTest {
    private final MemoryChunkStore store = new MemoryChunkStore();
    private final ManifestReader reader = new ManifestReader(store, 64);
    private final AtomicLong clock = new AtomicLong(1_000_000);
    /** Small chunks so a few records already make several chunks. */
    private final CompactionConfig config = CompactionConfig.defaults().withTargetChunkBytes(16 * 1024)
            .withGcGracePeriod(Duration.ZERO);
    private final Compactor compactor = new Compactor(reader, config, Runnable::run, clock::incrementAndGet);

    @AfterEach
    void closeStore() {
        store.close();
    }

    private byte[] readAll(Manifest m, int size) {
        byte[] out = new byte[size];
        reader.readBytes(m, 0, size, out, 0).join();
        return out;
    }

    @Test
    void foldsOfRandomUnalignedWritesZerosAndTrimsReadBackExactly() {
        VolumeModel volume = new VolumeModel(5, 512 * 1024);
        Random random = new Random(11);
        Manifest m = Manifest.empty(5, 0);
        for (int fold = 0; fold < 6; fold++) {
            List<LogRecord> records = volume.randomRecords(random, 40);
            FoldResult result = compactor.fold(m, records, volume.sequence()).join();
            Manifest next = result.manifest();
            assertEquals(m.version() + 1, next.version());
            assertEquals(volume.sequence(), next.coveredSequence());
            assertArrayEquals(volume.bytes, readAll(next, volume.bytes.length), "after fold " + fold);
            for (WrittenChunk w : result.written()) {
                assertTrue(w.index().dataBlocks() <= config.targetChunkBlocks());
                assertTrue(ChunkReader.verify(store, w.id()).join().ok());
            }
            m = next;
        }
        // Unaligned reads through the manifest.
        byte[] slice = new byte[10_000];
        reader.readBytes(m, 12_345, slice.length, slice, 0).join();
        assertArrayEquals(java.util.Arrays.copyOfRange(volume.bytes, 12_345, 12_345 + slice.length), slice);
    }

    @Test
    void newestSequenceWinsWhateverTheRecordOrder() {
        VolumeModel volume = new VolumeModel(1, 64 * 1024);
        List<LogRecord> records = new ArrayList<>();
        records.add(volume.write(0, filled(8192, 1)));
        records.add(volume.write(4096, filled(4096, 2)));
        records.add(volume.write(100, filled(10, 3)));
        List<LogRecord> shuffled = new ArrayList<>(records);
        java.util.Collections.reverse(shuffled);
        Manifest m = compactor.fold(Manifest.empty(1, 0), shuffled, volume.sequence()).join().manifest();
        assertArrayEquals(volume.bytes, readAll(m, volume.bytes.length));
    }

    @Test
    void aHugeTrimCostsOneExtentAndNoChunk() {
        VolumeModel volume = new VolumeModel(1, 4096);
        long tib = 1L << 40;
        LogRecord trim = new LogRecord(1, 1, 1, RecordType.TRIM, 0, tib, io.netty.buffer.Unpooled.EMPTY_BUFFER);
        FoldResult r = compactor.fold(Manifest.empty(1, 0), List.of(trim), 1).join();
        assertEquals(0, r.written().size());
        assertEquals(List.of(new Extent(0, tib / 4096, null)), r.manifest().extents().toList());
        assertEquals(4096, volume.bytes.length);
    }

    @Test
    void recordsOutsideTheRangeAreRefused() {
        VolumeModel volume = new VolumeModel(1, 8192);
        LogRecord w = volume.write(0, new byte[4096]);
        assertThrows(IllegalArgumentException.class, () -> compactor.fold(Manifest.empty(1, 0), List.of(w), 0));
        LogRecord other = new LogRecord(2, 1, 1, RecordType.ZERO, 0, 1, io.netty.buffer.Unpooled.EMPTY_BUFFER);
        assertThrows(IllegalArgumentException.class, () -> compactor.fold(Manifest.empty(1, 0), List.of(other), 1));
    }

    @Test
    void mergerBoundsSpaceAndKeepsContentAndGarbageCollectorRemovesTheRest() {
        VolumeModel volume = new VolumeModel(9, 256 * 1024);
        Random random = new Random(3);
        Manifest m = Manifest.empty(9, 0);
        for (int fold = 0; fold < 8; fold++) {
            m = compactor.fold(m, volume.randomRecords(random, 25), volume.sequence()).join().manifest();
        }
        // Merges run only past the volume-wide bound: overwrite every other block so it is crossed.
        List<LogRecord> again = new ArrayList<>();
        for (int block = 0; block < 64; block += 2) {
            again.add(volume.write(block * 4096L, VolumeModel.randomData(random, 4096)));
        }
        m = compactor.fold(m, again, volume.sequence()).join().manifest();
        ChunkMerger merger = new ChunkMerger(reader, config, Runnable::run, clock::incrementAndGet);
        int passes = 0;
        Optional<FoldResult> merged;
        while ((merged = merger.merge(m).join()).isPresent()) {
            m = merged.get().manifest();
            assertArrayEquals(volume.bytes, readAll(m, volume.bytes.length), "after merge pass " + passes);
            passes++;
            assertTrue(passes < 20, "merging must converge");
        }
        assertTrue(passes > 0, "random overwrites leave chunks worth merging");
        long live = m.extents().liveBlocksByChunk().values().stream().mapToLong(Long::longValue).sum();
        long stored = m.chunks().stream().mapToLong(ChunkDescriptor::dataBlocks).sum();
        assertTrue(stored <= 1.5 * live, "stored " + stored + " blocks for " + live + " live");

        // Keep only the newest manifest: everything else goes, and the volume still reads.
        long before = store.list().join().size();
        Set<ChunkId> reachable = ChunkGarbageCollector.reachableFrom(List.of(m));
        ChunkGarbageCollector gc = new ChunkGarbageCollector(store, config.gcGracePeriod(), () -> Long.MAX_VALUE / 2);
        ChunkGarbageCollector.Report report = gc.collect(reachable, ChunkId::isChunk).join();
        assertEquals(before - reachable.size(), report.deleted().size());
        assertEquals(reachable.size(), store.list().join().size());
        ManifestReader fresh = new ManifestReader(store, 8);
        byte[] out = new byte[volume.bytes.length];
        fresh.readBytes(m, 0, out.length, out, 0).join();
        assertArrayEquals(volume.bytes, out);
    }

    @Test
    void scatteredOverwritesFragmentTheExtentMapAndMergingBringsItBackUnderBudget() {
        CompactionConfig small = CompactionConfig.defaults().withTargetChunkBytes(64 * 1024).withExtentMapBytesPerTiB(0);
        Compactor folds = new Compactor(reader, small, Runnable::run, clock::incrementAndGet);
        ChunkMerger merger = new ChunkMerger(reader, small, Runnable::run, clock::incrementAndGet);
        VolumeModel volume = new VolumeModel(6, 16 << 20);
        Random random = new Random(21);
        Manifest m = folds.fold(Manifest.empty(6, 0), List.of(volume.write(0, VolumeModel.randomData(random, 16 << 20))),
                volume.sequence()).join().manifest();
        for (int fold = 0; fold < 6; fold++) {
            List<LogRecord> overwrites = new ArrayList<>();
            for (int i = 0; i < 500; i++) {
                overwrites.add(volume.write(random.nextInt(4096) * 4096L, VolumeModel.randomData(random, 4096)));
            }
            m = folds.fold(m, overwrites, volume.sequence()).join().manifest();
        }
        assertTrue(m.extents().heapBytesEstimate() > MergePolicy.MIN_EXTENT_MAP_BUDGET,
                "the overwrites fragment the map: " + m.extents().size() + " extents");
        assertTrue(merger.policy().fragmentedRegions(m).size() > 0);
        int passes = 0;
        Optional<FoldResult> merged;
        while ((merged = merger.merge(m).join()).isPresent()) {
            m = merged.get().manifest();
            passes++;
            assertTrue(passes < 50, "merging must converge");
        }
        assertTrue(m.extents().heapBytesEstimate() <= MergePolicy.MIN_EXTENT_MAP_BUDGET,
                m.extents().size() + " extents, " + m.extents().heapBytesEstimate() + " bytes");
        assertArrayEquals(volume.bytes, readAll(m, volume.bytes.length));
        long live = m.extents().liveBlocksByChunk().values().stream().mapToLong(Long::longValue).sum();
        long stored = m.chunks().stream().mapToLong(ChunkDescriptor::dataBlocks).sum();
        assertTrue(stored <= 1.5 * live, "stored " + stored + " blocks for " + live + " live");
    }

    @Test
    void aFoldIntoASlowStoreWaitsForUploadsAndCompletesWhenAllAreDurable() {
        java.util.concurrent.ScheduledExecutorService later = java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
        try {
            java.util.concurrent.atomic.AtomicInteger pending = new java.util.concurrent.atomic.AtomicInteger();
            java.util.concurrent.atomic.AtomicInteger maxPending = new java.util.concurrent.atomic.AtomicInteger();
            MemoryChunkStore backing = new MemoryChunkStore();
            io.ledgerdisk.chunk.store.ChunkStore slow = new SlowPuts(backing, later, pending, maxPending);
            ManifestReader slowReader = new ManifestReader(slow, 64);
            Compactor folds = new Compactor(slowReader, config, Runnable::run, clock::incrementAndGet);
            VolumeModel volume = new VolumeModel(2, 1 << 20);
            Random random = new Random(4);
            FoldResult r = folds.fold(Manifest.empty(2, 0), List.of(volume.write(0, VolumeModel.randomData(random, 1 << 20))),
                    volume.sequence()).join();
            assertEquals(64, r.written().size(), "1 MiB in 16 KiB chunks");
            assertEquals(0, pending.get(), "every upload finished before the fold completed");
            assertTrue(maxPending.get() <= ChunkSink.MAX_UPLOADS + 1, "uploads in flight: " + maxPending.get());
            byte[] out = new byte[volume.bytes.length];
            slowReader.readBytes(r.manifest(), 0, out.length, out, 0).join();
            assertArrayEquals(volume.bytes, out);
        } finally {
            later.shutdownNow();
        }
    }

    /** A store whose puts finish 5 ms later, counting how many are in flight. */
    private record SlowPuts(MemoryChunkStore delegate, java.util.concurrent.ScheduledExecutorService later,
            java.util.concurrent.atomic.AtomicInteger pending, java.util.concurrent.atomic.AtomicInteger maxPending)
            implements io.ledgerdisk.chunk.store.ChunkStore {
        @Override
        public java.util.concurrent.CompletableFuture<Void> put(ChunkId id, byte[] bytes) {
            maxPending.accumulateAndGet(pending.incrementAndGet(), Math::max);
            java.util.concurrent.CompletableFuture<Void> done = new java.util.concurrent.CompletableFuture<>();
            later.schedule(() -> {
                delegate.put(id, bytes).join();
                pending.decrementAndGet();
                done.complete(null);
            }, 5, java.util.concurrent.TimeUnit.MILLISECONDS);
            return done;
        }

        @Override
        public java.util.concurrent.CompletableFuture<Void> put(ChunkId id, Path file) {
            return delegate.put(id, file);
        }

        @Override
        public java.util.concurrent.CompletableFuture<byte[]> getRange(ChunkId id, long offset, int length) {
            return delegate.getRange(id, offset, length);
        }

        @Override
        public java.util.concurrent.CompletableFuture<Long> size(ChunkId id) {
            return delegate.size(id);
        }

        @Override
        public java.util.concurrent.CompletableFuture<Void> delete(ChunkId id) {
            return delegate.delete(id);
        }

        @Override
        public java.util.concurrent.CompletableFuture<List<io.ledgerdisk.chunk.store.StoredChunk>> list() {
            return delegate.list();
        }

        @Override
        public void close() {
            delegate.close();
        }
    }

    @Test
    void garbageCollectorKeepsYoungUnreachableChunks() {
        store.put(new ChunkId("c-orphan"), new byte[10]).join();
        ChunkGarbageCollector gc = new ChunkGarbageCollector(store, Duration.ofHours(1), System::currentTimeMillis);
        ChunkGarbageCollector.Report report = gc.collect(Set.of(), id -> true).join();
        assertEquals(0, report.deleted().size());
        assertEquals(1, report.keptYoung());
        ChunkGarbageCollector later = new ChunkGarbageCollector(store, Duration.ofHours(1),
                () -> System.currentTimeMillis() + Duration.ofHours(2).toMillis());
        assertEquals(List.of(new ChunkId("c-orphan")), later.collect(Set.of(), id -> true).join().deleted());
    }

    @Test
    void foldIntoALocalDirectoryThenReopenEverythingFromBytesAndRead(@TempDir Path dir) {
        VolumeModel volume = new VolumeModel(4, 256 * 1024);
        Random random = new Random(8);
        byte[] encodedManifest;
        try (LocalChunkStore local = LocalChunkStore.open(dir, 2)) {
            Compactor onDisk = new Compactor(new ManifestReader(local, 8), config, Runnable::run, clock::incrementAndGet);
            Manifest m = Manifest.empty(4, 0);
            for (int fold = 0; fold < 3; fold++) {
                m = onDisk.fold(m, volume.randomRecords(random, 30), volume.sequence()).join().manifest();
            }
            encodedManifest = ManifestFormat.encode(m);
        }
        // As after a restart: a new store on the same directory, the manifest from its bytes.
        try (LocalChunkStore reopened = LocalChunkStore.open(dir, 2)) {
            Manifest m = ManifestFormat.decode(encodedManifest);
            ManifestReader fresh = new ManifestReader(reopened, 8);
            byte[] out = new byte[volume.bytes.length];
            fresh.readBytes(m, 0, out.length, out, 0).join();
            assertArrayEquals(volume.bytes, out);
            assertTrue(fresh.verify(m).join().ok());
        }
    }

    private static byte[] filled(int length, int value) {
        byte[] b = new byte[length];
        java.util.Arrays.fill(b, (byte) value);
        return b;
    }
}
