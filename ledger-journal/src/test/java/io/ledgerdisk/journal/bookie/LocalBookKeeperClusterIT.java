package io.ledgerdisk.journal.bookie;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
    void aStoppedBookieMakesTheClusterUnhealthyUntilItReturns() throws Exception {
        try (LocalBookKeeperCluster cluster = LocalBookKeeperCluster.start(dataDir, 2, "127.0.0.1")) {
            cluster.stopBookie(1);
            assertFalse(cluster.isHealthy());
            assertFalse(cluster.isBookieRunning(1));
            cluster.startBookie(1);
            assertTrue(cluster.isHealthy());
        }
    }
}
