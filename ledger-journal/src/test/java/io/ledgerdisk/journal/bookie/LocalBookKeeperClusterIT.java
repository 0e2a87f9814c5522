package io.ledgerdisk.journal.bookie;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.bookkeeper.client.BookKeeper;
import org.apache.bookkeeper.client.api.DigestType;
import org.apache.bookkeeper.client.api.LedgerEntries;
import org.apache.bookkeeper.client.api.ReadHandle;
import org.apache.bookkeeper.client.api.WriteHandle;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalBookKeeperClusterIT {
    private static final byte[] PASSWORD = "test".getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path dataDir;

    @Test
    void dataSurvivesARestartOnTheSamePorts() throws Exception {
        long ledgerId;
        String uri;
        try (LocalBookKeeperCluster cluster = LocalBookKeeperCluster.start(dataDir, 3, "127.0.0.1")) {
            assertTrue(cluster.isHealthy());
            assertEquals(3, cluster.bookieCount());
            uri = cluster.metadataServiceUri();
            assertTrue(uri.startsWith("zk+null://127.0.0.1:"), uri);
            for (String dir : new String[] {"zookeeper", "bookie-0/journal", "bookie-0/ledgers", "bookie-2/journal"}) {
                assertTrue(Files.isDirectory(dataDir.resolve(dir)), dir);
            }
            BookKeeper client = cluster.newClient();
            try (WriteHandle ledger = client.newCreateLedgerOp().withEnsembleSize(3).withWriteQuorumSize(3)
                    .withAckQuorumSize(2).withDigestType(DigestType.CRC32C).withPassword(PASSWORD).execute().get()) {
                ledgerId = ledger.getId();
                ledger.append("first".getBytes(StandardCharsets.UTF_8));
                ledger.append("second".getBytes(StandardCharsets.UTF_8));
            }
        }

        try (LocalBookKeeperCluster cluster = LocalBookKeeperCluster.start(dataDir, 3, "127.0.0.1")) {
            assertEquals(uri, cluster.metadataServiceUri());
            assertTrue(cluster.isHealthy());
            BookKeeper client = cluster.newClient();
            try (ReadHandle ledger = client.newOpenLedgerOp().withLedgerId(ledgerId).withRecovery(true)
                    .withDigestType(DigestType.CRC32C).withPassword(PASSWORD).execute().get();
                    LedgerEntries entries = ledger.read(0, 1)) {
                assertArrayEquals("second".getBytes(StandardCharsets.UTF_8), entries.getEntry(1).getEntryBytes());
            }
        }
    }

    @Test
    void journalRecordsAreWrittenOverZerosNotIntoHoles() throws Exception {
        try (LocalBookKeeperCluster cluster = LocalBookKeeperCluster.start(dataDir, 3, "127.0.0.1")) {
            BookKeeper client = cluster.newClient();
            try (WriteHandle ledger = client.newCreateLedgerOp().withEnsembleSize(3).withWriteQuorumSize(3)
                    .withAckQuorumSize(2).withDigestType(DigestType.CRC32C).withPassword(PASSWORD).execute().get()) {
                byte[] entry = new byte[64 * 1024];
                for (int i = 0; i < 64; i++) {
                    entry[0] = (byte) i;
                    ledger.append(entry);
                }
            }
            for (int bookie = 0; bookie < 3; bookie++) {
                Path journal;
                try (var files = Files.list(dataDir.resolve("bookie-" + bookie + "/journal/current"))) {
                    journal = files.filter(f -> f.toString().endsWith(".txn")).max(Path::compareTo).orElseThrow();
                }
                // 64 entries of 64 KiB: 4 MiB of records, zero-filled FILL_AHEAD_BYTES past them.
                long filled = (4L << 20) + ZeroFillingFileChannel.FILL_AHEAD_BYTES;
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (Files.size(journal) < filled && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                long size = Files.size(journal);
                assertTrue(size >= filled, journal + " is not zero-filled past its records: " + size + " bytes");
                long allocated = ZeroFillingFileChannelTest.allocatedBytes(journal);
                assertTrue(allocated >= size, journal + " has holes: " + allocated + " bytes allocated of " + size);
            }
        }
    }

    @Test
    void aStoppedBookieMakesTheClusterUnhealthyUntilItReturns() throws Exception {
        try (LocalBookKeeperCluster cluster = LocalBookKeeperCluster.start(dataDir, 2, "127.0.0.1")) {
            cluster.stopBookie(1);
            assertFalse(cluster.isHealthy());
            assertFalse(cluster.isBookieRunning(1));
            cluster.startBookie(1);
            assertTrue(cluster.isHealthy());
        }
    }

    /**
     * A kill -9 can leave a journal record half written (its length and first bytes, then the
     * preallocated zeros). Replayed as is, it becomes the ledger's last entry and every recovery
     * open fails on its digest; the cluster cuts it before the bookie starts.
     */
    @Test
    void aTornJournalRecordDoesNotMakeTheLedgerUnopenable() throws Exception {
        long ledgerId;
        try (LocalBookKeeperCluster cluster = LocalBookKeeperCluster.start(dataDir, 1, "127.0.0.1")) {
            BookKeeper client = cluster.newClient();
            WriteHandle ledger = client.newCreateLedgerOp().withEnsembleSize(1).withWriteQuorumSize(1)
                    .withAckQuorumSize(1).withDigestType(DigestType.CRC32C).withPassword(PASSWORD).execute().get();
            ledgerId = ledger.getId();
            for (int i = 0; i < 3; i++) {
                ledger.append(("entry " + i + " ").repeat(300).getBytes(StandardCharsets.UTF_8));
            }
            // Left open, as a killed writer leaves it.
        }
        appendTornCopyOfLastRecord(dataDir.resolve("bookie-0/journal"));

        try (LocalBookKeeperCluster cluster = LocalBookKeeperCluster.start(dataDir, 1, "127.0.0.1")) {
            BookKeeper client = cluster.newClient();
            try (ReadHandle ledger = client.newOpenLedgerOp().withLedgerId(ledgerId).withRecovery(true)
                    .withDigestType(DigestType.CRC32C).withPassword(PASSWORD).execute().get();
                    LedgerEntries entries = ledger.read(0, 2)) {
                assertEquals(2, ledger.getLastAddConfirmed(), "the torn entry 3 was never acknowledged");
                assertArrayEquals(("entry 2 ").repeat(300).getBytes(StandardCharsets.UTF_8),
                        entries.getEntry(2).getEntryBytes());
            }
        }
    }

    /** Writes, after the journal's last record, a copy of it as entry id + 1 with its second half never written. */
    private static void appendTornCopyOfLastRecord(Path journalDir) throws Exception {
        Path journal;
        try (Stream<Path> files = Files.list(journalDir.resolve("current"))) {
            List<Path> txn = files.filter(p -> p.toString().endsWith(".txn")).sorted().toList();
            journal = txn.get(txn.size() - 1);
        }
        JournalTailRepair.Tail tail = JournalTailRepair.tail(journal);
        assertTrue(tail.lastRecord() > 0 && tail.lastRecordSound(), "a journal with a whole last record: " + tail);
        try (FileChannel channel = FileChannel.open(journal, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer length = ByteBuffer.allocate(Integer.BYTES);
            channel.read(length, tail.lastRecord());
            ByteBuffer record = ByteBuffer.allocate(length.flip().getInt());
            channel.read(record, tail.lastRecord() + Integer.BYTES);
            record.putLong(Long.BYTES, record.getLong(Long.BYTES) + 1);
            record.position(record.capacity() / 2);
            while (record.hasRemaining()) {
                record.put((byte) 0);
            }
            channel.write(ByteBuffer.allocate(Integer.BYTES).putInt(0, record.capacity()), tail.end());
            channel.write(record.flip(), tail.end() + Integer.BYTES);
        }
    }
}
