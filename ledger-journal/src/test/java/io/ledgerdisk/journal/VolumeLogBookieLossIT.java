package io.ledgerdisk.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ledgerdisk.journal.bookie.LocalBookKeeperCluster;
import io.ledgerdisk.journal.record.RecordType;
import io.netty.buffer.Unpooled;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.bookkeeper.client.BookKeeper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A {@link VolumeLog} on three bookies (3/3/2) while bookies stop and come back. */
class VolumeLogBookieLossIT {
    private static final long VOLUME = 7;

    private LocalBookKeeperCluster cluster;
    private BookKeeper immediateClient;
    private BookKeeper lazyClient;
    private final InMemoryCatalog catalog = new InMemoryCatalog();
    private final List<Long> acknowledged = new ArrayList<>();

    @BeforeEach
    void startCluster(@TempDir Path dataDir) throws Exception {
        cluster = LocalBookKeeperCluster.start(dataDir, 3, "127.0.0.1");
        immediateClient = cluster.newClient(Durability.IMMEDIATE);
        lazyClient = cluster.newClient(Durability.LAZY);
    }

    @AfterEach
    void stopCluster() {
        cluster.close();
    }

    @Test
    void immediateWritesContinueWithOneBookieLostAndFailLoudlyWithTwo() throws Exception {
        JournalConfig config = JournalConfig.forBookies(3);
        try (VolumeLog log = open(config)) {
            appendAcknowledged(log, 5);
            cluster.stopBookie(2);
            appendAcknowledged(log, 5);

            cluster.stopBookie(1);
            ExecutionException failure = assertThrows(ExecutionException.class,
                    () -> log.append(RecordType.TRIM, 0, 512, null).get(30, TimeUnit.SECONDS));
            assertInstanceOf(JournalException.class, failure.getCause());
            // Still fails, through a new ledger that cannot be created, rather than hanging.
            ExecutionException again = assertThrows(ExecutionException.class,
                    () -> log.append(RecordType.TRIM, 0, 512, null).get(30, TimeUnit.SECONDS));
            assertInstanceOf(JournalException.class, again.getCause());
            assertTrue(again.getCause().getMessage().contains("bookies"), again.getCause().getMessage());

            cluster.startBookie(1);
            cluster.startBookie(2);
            appendEventually(log);
            appendAcknowledged(log, 5);
        }
        assertEveryAcknowledgedRecordIsReplayed(config);
    }

    @Test
    void lazyFlushSurvivesABookieLossByWritingUnforcedRecordsIntoANewLedger() throws Exception {
        JournalConfig config = JournalConfig.forBookies(3).withDurability(Durability.LAZY);
        try (VolumeLog log = open(config)) {
            appendAcknowledged(log, 5);
            log.force().get(10, TimeUnit.SECONDS);
            long firstLedger = log.ledgerIds().get(0);

            cluster.stopBookie(0);
            // Two of three bookies still acknowledge: the writes themselves go on.
            appendAcknowledged(log, 5);
            // A DEFERRED_SYNC ledger forces on all of its bookies, so it never will again; the
            // flush still succeeds: records 6..10 are written again into a new ledger, forced there.
            log.force().get(30, TimeUnit.SECONDS);
            assertEquals(2, log.ledgerIds().size());
            assertTrue(log.ledgerIds().get(1) != firstLedger);
            assertEquals(6, catalog.started().get(1).firstSequence());

            appendAcknowledged(log, 5);
            log.force().get(10, TimeUnit.SECONDS);
        }
        assertEquals(15, acknowledged.size());
        assertEveryAcknowledgedRecordIsReplayed(config);
    }

    private VolumeLog open(JournalConfig config) throws Exception {
        return VolumeLog.open(clientFor(config), config, VOLUME, catalog.ledgers(VOLUME), catalog, new ReplayedRecords())
                .get(30, TimeUnit.SECONDS);
    }

    private void appendAcknowledged(VolumeLog log, int count) throws Exception {
        for (int i = 0; i < count; i++) {
            acknowledged.add(log.append(RecordType.WRITE, 0, 4096, Unpooled.wrappedBuffer(new byte[4096]))
                    .get(30, TimeUnit.SECONDS));
        }
    }

    /** Restarted bookies reach the client's bookie list through a ZooKeeper watch, a moment later. */
    private void appendEventually(VolumeLog log) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try {
                acknowledged.add(log.append(RecordType.TRIM, 0, 512, null).get(30, TimeUnit.SECONDS));
                return;
            } catch (ExecutionException e) {
                assertInstanceOf(JournalException.class, e.getCause());
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(200);
            }
        }
    }

    private void assertEveryAcknowledgedRecordIsReplayed(JournalConfig config) throws Exception {
        ReplayedRecords replayed = new ReplayedRecords();
        VolumeLog.open(clientFor(config), config, VOLUME, catalog.ledgers(VOLUME), catalog, replayed).get(30, TimeUnit.SECONDS)
                .close();
        List<Long> sequences = replayed.records().stream().map(ReplayedRecords.Replayed::sequence).toList();
        assertTrue(sequences.containsAll(acknowledged), "replayed " + sequences + ", acknowledged " + acknowledged);
        for (int i = 1; i < sequences.size(); i++) {
            assertTrue(sequences.get(i) > sequences.get(i - 1), "replay order " + sequences);
        }
    }

    /** The client a node uses for logs of this durability (BookKeeper's v2 or v3 wire protocol). */
    private BookKeeper clientFor(JournalConfig config) {
        return config.durability() == Durability.IMMEDIATE ? immediateClient : lazyClient;
    }
}
