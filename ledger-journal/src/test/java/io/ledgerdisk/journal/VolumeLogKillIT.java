package io.ledgerdisk.journal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ledgerdisk.journal.bookie.LocalBookKeeperCluster;
import io.ledgerdisk.journal.record.RecordType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.bookkeeper.client.BookKeeper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGKILL of the whole single-machine JVM (ZooKeeper, bookies and writer) at random moments
 * loses no acknowledged record and leaves no foreign bytes in the log.
 */
class VolumeLogKillIT {
    private static final long VOLUME = 3;
    private static final int BOOKIES = 3;
    private static final int ROUNDS = 3;

    @TempDir
    Path dataDir;

    @Test
    void everyAcknowledgedRecordSurvivesKillMinus9() throws Exception {
        Random random = new Random();
        long lastSequence = 0;
        for (int run = 1; run <= ROUNDS; run++) {
            int acknowledgedBefore = acknowledgements().size();
            Process writer = startWriter(run);
            try {
                awaitReady(writer, run);
                awaitAcknowledgements(writer, run, acknowledgedBefore);
                // Let it write for a random while, then pull the plug.
                Thread.sleep(random.nextInt(1500));
            } finally {
                writer.destroyForcibly();
                assertTrue(writer.waitFor(30, TimeUnit.SECONDS), "the writer did not die");
            }
            Map<Long, Long> acknowledged = acknowledgements();
            assertTrue(acknowledged.size() > 0, "run " + run + " acknowledged nothing; see " + logOf(run));
            lastSequence = verify(acknowledged, lastSequence);
        }
    }

    private Process startWriter(int run) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "-Xmx512m",
                "--add-opens", "java.base/java.io=ALL-UNNAMED",
                "--add-opens", "java.base/java.nio=ALL-UNNAMED",
                "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"),
                CrashingWriter.class.getName(),
                dataDir.toString(), Integer.toString(BOOKIES), Long.toString(VOLUME), Integer.toString(run)));
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(logOf(run).toFile()).start();
    }

    private Path logOf(int run) {
        return dataDir.resolve("writer-" + run + ".log");
    }

    private void awaitReady(Process writer, int run) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!Files.exists(dataDir.resolve("ready-" + run))) {
            assertTrue(writer.isAlive(), "the writer died before it was ready; see " + logOf(run) + ":\n"
                    + Files.readString(logOf(run)));
            assertTrue(System.nanoTime() < deadline, "the writer was not ready within 120 s; see " + logOf(run));
            Thread.sleep(100);
        }
    }

    /** Waits until the writer has acknowledged something in this run, so every kill lands mid-stream. */
    private void awaitAcknowledgements(Process writer, int run, int acknowledgedBefore) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (acknowledgements().size() <= acknowledgedBefore) {
            assertTrue(writer.isAlive(), "the writer died; see " + logOf(run) + ":\n" + Files.readString(logOf(run)));
            assertTrue(System.nanoTime() < deadline, "the writer acknowledged nothing within 60 s; see " + logOf(run));
            Thread.sleep(50);
        }
    }

    /** Sequence to write number of every acknowledged record; a line cut by the kill is not an acknowledgement. */
    private Map<Long, Long> acknowledgements() throws IOException {
        Map<Long, Long> acknowledged = new HashMap<>();
        Path file = dataDir.resolve("acks.txt");
        if (!Files.exists(file)) {
            return acknowledged;
        }
        String content = Files.readString(file, StandardCharsets.US_ASCII);
        int end = content.lastIndexOf('\n');
        if (end < 0) {
            return acknowledged;
        }
        for (String line : content.substring(0, end).split("\n")) {
            String[] fields = line.split(" ");
            acknowledged.put(Long.parseLong(fields[0]), Long.parseLong(fields[1]));
        }
        return acknowledged;
    }

    /** Reopens the log as the next primary would and checks it against the acknowledgements. */
    private long verify(Map<Long, Long> acknowledged, long previousLastSequence) throws Exception {
        FileLedgerCatalog catalog = new FileLedgerCatalog(dataDir.resolve("catalog.txt"));
        Map<Long, Long> replayed = new HashMap<>();
        long lastSequence;
        try (LocalBookKeeperCluster cluster = LocalBookKeeperCluster.start(dataDir.resolve("bookkeeper"), BOOKIES,
                "127.0.0.1")) {
            BookKeeper client = cluster.newClient(Durability.IMMEDIATE);
            try (VolumeLog log = VolumeLog.open(client, JournalConfig.forBookies(BOOKIES), VOLUME,
                    catalog.ledgers(VOLUME), catalog, record -> {
                        assertEquals(VOLUME, record.volumeId());
                        assertEquals(RecordType.WRITE, record.type());
                        byte[] payload = new byte[CrashingWriter.BLOCK];
                        record.payload().getBytes(record.payload().readerIndex(), payload);
                        long writeNumber = 0;
                        for (int i = 0; i < 8; i++) {
                            writeNumber = (writeNumber << 8) | (payload[i] & 0xff);
                        }
                        // No foreign bytes: the payload is exactly what that write sent, where it sent it.
                        assertArrayEquals(CrashingWriter.payloadOf(writeNumber), payload,
                                "payload of sequence " + record.sequence());
                        assertEquals(CrashingWriter.offsetOf(writeNumber), record.offset());
                        replayed.put(record.sequence(), writeNumber);
                    }).get(120, TimeUnit.SECONDS)) {
                lastSequence = log.lastSequence();
            }
        }
        for (Map.Entry<Long, Long> ack : acknowledged.entrySet()) {
            Long writeNumber = replayed.get(ack.getKey());
            assertNotNull(writeNumber, "acknowledged sequence " + ack.getKey() + " is missing after the kill");
            assertEquals(ack.getValue(), writeNumber, "sequence " + ack.getKey() + " holds another write");
        }
        assertTrue(lastSequence >= previousLastSequence, "the log went backwards");
        return lastSequence;
    }
}
