package io.ledgerdisk.journal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ledgerdisk.journal.bookie.LocalBookKeeperCluster;
import io.ledgerdisk.journal.record.LedgerRecordFormat;
import io.ledgerdisk.journal.record.LogRecord;
import io.ledgerdisk.journal.record.RecordType;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.bookkeeper.client.BookKeeper;
import org.apache.bookkeeper.client.api.DigestType;
import org.apache.bookkeeper.client.api.ReadHandle;
import org.apache.bookkeeper.client.api.WriteHandle;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** What a {@link VolumeLog} must do on real bookies; subclasses choose how many. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class VolumeLogContract {
    private static final AtomicLong VOLUMES = new AtomicLong(1000);

    LocalBookKeeperCluster cluster;
    /** The client a node uses for IMMEDIATE logs (v2 wire protocol). */
    BookKeeper client;
    /** The client a node uses for LAZY logs (v3 wire protocol). */
    BookKeeper lazyClient;
    JournalConfig config;

    abstract int bookies();

    @BeforeAll
    void startCluster(@TempDir Path dataDir) throws Exception {
        cluster = LocalBookKeeperCluster.start(dataDir, bookies(), "127.0.0.1");
        client = cluster.newClient(Durability.IMMEDIATE);
        lazyClient = cluster.newClient(Durability.LAZY);
        config = JournalConfig.forBookies(bookies());
    }

    @AfterAll
    void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void appendedRecordsAreReplayedInOrderAfterReopen() throws Exception {
        long volume = VOLUMES.incrementAndGet();
        InMemoryCatalog catalog = new InMemoryCatalog();
        Random random = new Random(volume);
        List<byte[]> written = new ArrayList<>();
        try (VolumeLog log = open(volume, catalog, new ReplayedRecords())) {
            assertEquals(0, log.lastSequence());
            for (int i = 0; i < 20; i++) {
                byte[] data = new byte[4096];
                random.nextBytes(data);
                written.add(data);
                assertEquals(i + 1, log.append(RecordType.WRITE, i * 4096L, 4096, Unpooled.wrappedBuffer(data))
                        .get(10, TimeUnit.SECONDS));
            }
            assertEquals(21, log.append(RecordType.ZERO, 0, 8192, null).get(10, TimeUnit.SECONDS));
            assertEquals(22, log.append(RecordType.TRIM, 1 << 20, 1 << 20, Unpooled.EMPTY_BUFFER)
                    .get(10, TimeUnit.SECONDS));
            assertEquals(22, log.lastSequence());
            log.force().get(10, TimeUnit.SECONDS);
        }

        ReplayedRecords replayed = new ReplayedRecords();
        try (VolumeLog reopened = open(volume, catalog, replayed)) {
            List<ReplayedRecords.Replayed> records = replayed.records();
            assertEquals(22, records.size());
            long previousTimestamp = 0;
            for (int i = 0; i < 20; i++) {
                ReplayedRecords.Replayed r = records.get(i);
                assertEquals(volume, r.volumeId());
                assertEquals(i + 1, r.sequence());
                assertEquals(RecordType.WRITE, r.type());
                assertEquals(i * 4096L, r.offset());
                assertArrayEquals(written.get(i), r.payload());
                assertTrue(r.timestampMicros() >= previousTimestamp);
                previousTimestamp = r.timestampMicros();
            }
            assertEquals(RecordType.ZERO, records.get(20).type());
            assertEquals(8192, records.get(20).length());
            assertEquals(0, records.get(20).payload().length);
            assertEquals(RecordType.TRIM, records.get(21).type());
            assertEquals(22, reopened.lastSequence());
            assertEquals(2, reopened.ledgerIds().size());
            assertEquals(catalog.ledgers(volume), reopened.ledgerIds());
            // The new ledger continues the sequence.
            assertEquals(23, catalog.started().get(1).firstSequence());
            assertEquals(23, reopened.append(RecordType.TRIM, 0, 512, null).get(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void concurrentAppendsShareEntries() throws Exception {
        long volume = VOLUMES.incrementAndGet();
        InMemoryCatalog catalog = new InMemoryCatalog();
        int records = 500;
        ByteBuf block = Unpooled.wrappedBuffer(new byte[4096]);
        long ledgerId;
        try (VolumeLog log = open(volume, catalog, new ReplayedRecords())) {
            List<CompletableFuture<Long>> appends = new ArrayList<>();
            List<CompletableFuture<Void>> observed = new ArrayList<>();
            List<Long> completionOrder = Collections.synchronizedList(new ArrayList<>());
            for (int i = 0; i < records; i++) {
                CompletableFuture<Long> append = log.append(RecordType.WRITE, i * 4096L, 4096, block);
                observed.add(append.thenAccept(completionOrder::add));
                appends.add(append);
            }
            CompletableFuture.allOf(observed.toArray(new CompletableFuture<?>[0])).get(30, TimeUnit.SECONDS);
            for (int i = 0; i < records; i++) {
                assertEquals(i + 1, appends.get(i).get());
                assertEquals(i + 1, completionOrder.get(i), "futures complete in sequence order");
            }
            ledgerId = log.ledgerIds().get(0);
        }
        try (ReadHandle ledger = client.newOpenLedgerOp().withLedgerId(ledgerId).withRecovery(false)
                .withDigestType(DigestType.CRC32C).withPassword(config.password()).execute().get()) {
            long entries = ledger.getLastAddConfirmed() + 1;
            assertTrue(entries < records / 4, records + " concurrent appends took " + entries + " entries");
        }
        ReplayedRecords replayed = new ReplayedRecords();
        open(volume, catalog, replayed).close();
        assertEquals(records, replayed.records().size());
    }

    /**
     * Two entries leave at once; small appends behind them wait for an acknowledgement and then
     * share one entry (VolumeLog.FOLLOW_ON_ENTRY_BYTES) instead of each taking a free slot alone.
     */
    @Test
    void smallAppendsBehindTwoEntriesInFlightShareTheNextEntry() throws Exception {
        long volume = VOLUMES.incrementAndGet();
        int records = 20;
        ByteBuf block = Unpooled.wrappedBuffer(new byte[1024]);
        long ledgerId;
        try (VolumeLog log = open(volume, new InMemoryCatalog(), new ReplayedRecords())) {
            List<CompletableFuture<Long>> appends = new ArrayList<>();
            for (int i = 0; i < records; i++) {
                appends.add(log.append(RecordType.WRITE, i * 1024L, 1024, block));
            }
            CompletableFuture.allOf(appends.toArray(new CompletableFuture<?>[0])).get(30, TimeUnit.SECONDS);
            ledgerId = log.ledgerIds().get(0);
        }
        try (ReadHandle ledger = client.newOpenLedgerOp().withLedgerId(ledgerId).withRecovery(false)
                .withDigestType(DigestType.CRC32C).withPassword(config.password()).execute().get()) {
            long entries = ledger.getLastAddConfirmed() + 1;
            // Two alone, then the other 18 together (one more if an acknowledgement overtook the appends).
            assertTrue(entries <= 4, records + " small appends took " + entries + " entries");
        }
    }

    @Test
    void openingTheLogAgainFencesTheFirstWriter() throws Exception {
        long volume = VOLUMES.incrementAndGet();
        InMemoryCatalog catalog = new InMemoryCatalog();
        VolumeLog first = open(volume, catalog, new ReplayedRecords());
        try {
            first.append(RecordType.WRITE, 0, 3, Unpooled.wrappedBuffer(new byte[] {1, 2, 3})).get(10, TimeUnit.SECONDS);

            // The other node speaks the other wire protocol: fencing and recovery work across the two.
            BookKeeper otherNode = cluster.newClient(Durability.LAZY);
            ReplayedRecords replayed = new ReplayedRecords();
            try (VolumeLog second = VolumeLog.open(otherNode, config, volume, catalog.ledgers(volume), catalog,
                    replayed).get(30, TimeUnit.SECONDS)) {
                assertEquals(1, replayed.records().size());

                ExecutionException failure = assertThrows(ExecutionException.class,
                        () -> first.append(RecordType.TRIM, 0, 512, null).get(10, TimeUnit.SECONDS));
                assertInstanceOf(VolumeLogFencedException.class, failure.getCause());
                assertTrue(first.isFenced());
                ExecutionException later = assertThrows(ExecutionException.class,
                        () -> first.append(RecordType.TRIM, 0, 512, null).get(10, TimeUnit.SECONDS));
                assertInstanceOf(VolumeLogFencedException.class, later.getCause());

                assertFalse(second.isFenced());
                assertEquals(2, second.append(RecordType.TRIM, 0, 512, null).get(10, TimeUnit.SECONDS));
            } finally {
                closeClient(otherNode);
            }
        } finally {
            first.close();
        }
    }

    /**
     * Closes a BookKeeper client that took part in fencing. BookKeeper 4.17's close can throw a
     * NullPointerException from {@code CompletionValue.errorOutAndRunCallback} when a recovery
     * operation is still erroring out on a channel that is already gone; the client is closed
     * either way, so that one failure is reported and not rethrown.
     */
    private static void closeClient(BookKeeper client) throws Exception {
        try {
            client.close();
        } catch (NullPointerException bookKeeperCloseRace) {
            System.err.println("BookKeeper client close raced with an outstanding operation: " + bookKeeperCloseRace);
        }
    }

    @Test
    void appendsAfterCloseFailWithAClearMessage() throws Exception {
        VolumeLog log = open(VOLUMES.incrementAndGet(), new InMemoryCatalog(), new ReplayedRecords());
        log.close();
        ExecutionException failure = assertThrows(ExecutionException.class,
                () -> log.append(RecordType.TRIM, 0, 512, null).get(10, TimeUnit.SECONDS));
        assertInstanceOf(JournalException.class, failure.getCause());
        assertTrue(failure.getCause().getMessage().contains("closed"), failure.getCause().getMessage());
    }

    @Test
    void writesLargerThanAnEntryAreRefusedUpFront() throws Exception {
        try (VolumeLog log = open(VOLUMES.incrementAndGet(), new InMemoryCatalog(), new ReplayedRecords())) {
            int tooLarge = config.maxPayloadBytes() + 1;
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> log.append(RecordType.WRITE, 0, tooLarge, Unpooled.wrappedBuffer(new byte[tooLarge])));
            assertTrue(e.getMessage().contains("split"), e.getMessage());
            int largest = config.maxPayloadBytes();
            assertEquals(1, log.append(RecordType.WRITE, 0, largest, Unpooled.wrappedBuffer(new byte[largest]))
                    .get(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void lazyRecordsAreReplayedAfterForce() throws Exception {
        long volume = VOLUMES.incrementAndGet();
        InMemoryCatalog catalog = new InMemoryCatalog();
        JournalConfig lazy = config.withDurability(Durability.LAZY);
        try (VolumeLog log = VolumeLog.open(lazyClient, lazy, volume, List.of(), catalog, new ReplayedRecords())
                .get(30, TimeUnit.SECONDS)) {
            for (int i = 0; i < 10; i++) {
                log.append(RecordType.WRITE, i * 512L, 512, Unpooled.wrappedBuffer(new byte[512]));
            }
            assertEquals(11, log.append(RecordType.TRIM, 0, 512, null).get(10, TimeUnit.SECONDS));
            log.force().get(10, TimeUnit.SECONDS);
        }
        // Written over the v3 protocol, recovered and replayed over v2.
        ReplayedRecords replayed = new ReplayedRecords();
        VolumeLog.open(client, lazy, volume, catalog.ledgers(volume), catalog, replayed).get(30, TimeUnit.SECONDS).close();
        assertEquals(11, replayed.records().size());
        assertEquals(RecordType.TRIM, replayed.records().get(10).type());
    }

    @Test
    void rollsOverBySizeRecordingEachLedgerBeforeItsFirstRecord() throws Exception {
        long volume = VOLUMES.incrementAndGet();
        InMemoryCatalog catalog = new InMemoryCatalog();
        JournalConfig small = config.withRollOver(64 * 1024, Duration.ofHours(1));
        int records = 100;
        try (VolumeLog log = VolumeLog.open(client, small, volume, List.of(), catalog, new ReplayedRecords())
                .get(30, TimeUnit.SECONDS)) {
            for (int i = 0; i < records; i++) {
                // One at a time, so every entry is one record and the sizes are predictable.
                log.append(RecordType.WRITE, i * 4096L, 4096, Unpooled.wrappedBuffer(new byte[4096]))
                        .get(10, TimeUnit.SECONDS);
            }
            assertEquals(catalog.ledgers(volume), log.ledgerIds());
        }
        List<InMemoryCatalog.Started> started = catalog.started();
        // 16 entries of 4 KiB + headers pass 64 KiB; the 17th record opens the next ledger.
        assertEquals(7, started.size(), started.toString());
        assertEquals(1, started.get(0).firstSequence());
        assertEquals(17, started.get(1).firstSequence());
        ReplayedRecords replayed = new ReplayedRecords();
        VolumeLog.open(client, small, volume, catalog.ledgers(volume), catalog, replayed).get(30, TimeUnit.SECONDS).close();
        assertEquals(records, replayed.records().size());
        for (int i = 0; i < records; i++) {
            assertEquals(i + 1, replayed.records().get(i).sequence());
        }
    }

    @Test
    void rollsOverByAge() throws Exception {
        long volume = VOLUMES.incrementAndGet();
        InMemoryCatalog catalog = new InMemoryCatalog();
        JournalConfig young = config.withRollOver(1L << 30, Duration.ofMillis(200));
        try (VolumeLog log = VolumeLog.open(client, young, volume, List.of(), catalog, new ReplayedRecords())
                .get(30, TimeUnit.SECONDS)) {
            log.append(RecordType.TRIM, 0, 512, null).get(10, TimeUnit.SECONDS);
            log.append(RecordType.TRIM, 512, 512, null).get(10, TimeUnit.SECONDS);
            assertEquals(1, log.ledgerIds().size());
            Thread.sleep(300);
            assertEquals(3, log.append(RecordType.TRIM, 1024, 512, null).get(10, TimeUnit.SECONDS));
            assertEquals(2, log.ledgerIds().size());
            assertEquals(3, catalog.started().get(1).firstSequence());
        }
    }

    @Test
    void recordsBeyondTheBufferBoundMakeTheLogUnwritableUntilDrained() throws Exception {
        long volume = VOLUMES.incrementAndGet();
        // The catalog holds back the second ledger, so records pile up deterministically.
        CompletableFuture<Void> secondLedgerRecorded = new CompletableFuture<>();
        List<Long> started = Collections.synchronizedList(new ArrayList<>());
        LedgerCatalog gated = (v, ledgerId, firstSequence, createdMicros) -> {
            started.add(ledgerId);
            return started.size() == 2 ? secondLedgerRecorded : CompletableFuture.completedFuture(null);
        };
        int size = config.maxPayloadBytes();
        JournalConfig rolling = config.withRollOver(2L * config.maxEntryBytes(), Duration.ofHours(1));
        try (VolumeLog log = VolumeLog.open(client, rolling, volume, List.of(), gated, new ReplayedRecords())
                .get(30, TimeUnit.SECONDS)) {
            ByteBuf big = Unpooled.wrappedBuffer(new byte[size]);
            List<CompletableFuture<Long>> appends = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                appends.add(log.append(RecordType.WRITE, (long) i * size, size, big));
            }
            CompletableFuture.allOf(appends.toArray(new CompletableFuture<?>[0])).get(30, TimeUnit.SECONDS);
            int piledUp = VolumeLog.MAX_BUFFERED_ENTRIES + 2;
            for (int i = 0; i < piledUp; i++) {
                appends.add(log.append(RecordType.WRITE, (long) i * size, size, big));
            }
            assertFalse(log.isWritable());
            assertTrue(log.bufferedBytes() >= (long) VolumeLog.MAX_BUFFERED_ENTRIES * config.maxEntryBytes());
            CompletableFuture<Void> writable = log.whenWritable();
            assertFalse(writable.isDone());

            secondLedgerRecorded.complete(null);
            writable.get(30, TimeUnit.SECONDS);
            CompletableFuture.allOf(appends.toArray(new CompletableFuture<?>[0])).get(60, TimeUnit.SECONDS);
            assertTrue(log.isWritable());
            assertEquals(0, log.bufferedBytes());
        }
    }

    @Test
    void replaySkipsARecordWrittenAgainIntoTheNextLedgerButRefusesOtherDisorder() throws Exception {
        long volume = VOLUMES.incrementAndGet();
        LogRecord second = new LogRecord(
                volume, 2, 20, RecordType.WRITE, 512, 1, Unpooled.wrappedBuffer(new byte[] {7}));
        long first = rawLedger(List.of(trim(volume, 1, 10), second));
        long overlapping = rawLedger(List.of(second, trim(volume, 3, 30)));
        InMemoryCatalog catalog = new InMemoryCatalog();

        ReplayedRecords replayed = new ReplayedRecords();
        VolumeLog.open(client, config, volume, List.of(first, overlapping), catalog, replayed)
                .get(30, TimeUnit.SECONDS).close();
        assertEquals(List.of(1L, 2L, 3L), replayed.records().stream().map(ReplayedRecords.Replayed::sequence).toList());

        long disordered = rawLedger(List.of(trim(volume, 2, 99)));
        ExecutionException failure = assertThrows(ExecutionException.class, () -> VolumeLog.open(client, config,
                volume, List.of(first, disordered), catalog, new ReplayedRecords()).get(30, TimeUnit.SECONDS));
        assertInstanceOf(JournalException.class, failure.getCause());
        assertTrue(failure.getCause().getMessage().contains("does not follow"), failure.getCause().getMessage());
    }

    private static LogRecord trim(long volume, long sequence, long timestamp) {
        return new LogRecord(volume, sequence, timestamp, RecordType.TRIM, 0, 512,
                Unpooled.EMPTY_BUFFER);
    }

    /** A closed ledger holding one entry with {@code records}, written without a VolumeLog. */
    private long rawLedger(List<LogRecord> records) throws Exception {
        try (WriteHandle ledger = client.newCreateLedgerOp()
                .withEnsembleSize(config.ensembleSize()).withWriteQuorumSize(config.writeQuorum())
                .withAckQuorumSize(config.ackQuorum()).withDigestType(DigestType.CRC32C)
                .withPassword(config.password()).execute().get(30, TimeUnit.SECONDS)) {
            ledger.appendAsync(LedgerRecordFormat.encode(
                    ByteBufAllocator.DEFAULT, records)).get(30, TimeUnit.SECONDS);
            return ledger.getId();
        }
    }

    @Test
    void acknowledgementObserversRunInSequenceOrderBeforeTheFutures() throws Exception {
        try (VolumeLog log = open(VOLUMES.incrementAndGet(), new InMemoryCatalog(), new ReplayedRecords())) {
            List<Long> observed = Collections.synchronizedList(new ArrayList<>());
            List<CompletableFuture<Void>> checks = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                checks.add(log.append(RecordType.TRIM, i * 512L, 512, null, observed::add)
                        .thenAccept(sequence -> assertTrue(observed.contains(sequence))));
            }
            CompletableFuture.allOf(checks.toArray(new CompletableFuture<?>[0])).get(30, TimeUnit.SECONDS);
            List<Long> expected = new ArrayList<>();
            for (long s = 1; s <= 200; s++) {
                expected.add(s);
            }
            assertEquals(expected, observed);
        }
    }

    @Test
    void openingFromAFoldedPositionReplaysOnlyWhatFollowsIt() throws Exception {
        long volume = VOLUMES.incrementAndGet();
        InMemoryCatalog catalog = new InMemoryCatalog();
        try (VolumeLog log = open(volume, catalog, new ReplayedRecords())) {
            for (int i = 0; i < 5; i++) {
                log.append(RecordType.TRIM, i * 512L, 512, null).get(10, TimeUnit.SECONDS);
            }
        }
        ReplayedRecords replayed = new ReplayedRecords();
        try (VolumeLog log = VolumeLog.open(client, config, volume, catalog.ledgers(volume), 3, catalog, replayed)
                .get(30, TimeUnit.SECONDS)) {
            assertEquals(List.of(4L, 5L), replayed.records().stream().map(ReplayedRecords.Replayed::sequence).toList());
            assertEquals(6, log.append(RecordType.TRIM, 0, 512, null).get(10, TimeUnit.SECONDS));
        }
        // Every ledger already folded and deleted: numbering still continues after the fold.
        try (VolumeLog log = VolumeLog.open(client, config, volume, List.of(), 100, catalog, new ReplayedRecords())
                .get(30, TimeUnit.SECONDS)) {
            assertEquals(101, log.append(RecordType.TRIM, 0, 512, null).get(10, TimeUnit.SECONDS));
        }
    }

    VolumeLog open(long volume, InMemoryCatalog catalog, ReplayedRecords replay) throws Exception {
        return VolumeLog.open(client, config, volume, catalog.ledgers(volume), catalog, replay).get(30, TimeUnit.SECONDS);
    }
}
