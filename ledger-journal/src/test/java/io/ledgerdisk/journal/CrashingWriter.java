package io.ledgerdisk.journal;

import io.ledgerdisk.journal.bookie.LocalBookKeeperCluster;
import io.ledgerdisk.journal.record.RecordType;
import io.netty.buffer.Unpooled;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.apache.bookkeeper.client.BookKeeper;

/**
 * The process {@link VolumeLogKillIT} kills with SIGKILL: the whole embedded single-machine
 * BookKeeper (ZooKeeper and bookies) plus a writer, in one JVM, appending until it dies. Each
 * acknowledgement is written to the ack file only after its future completed.
 *
 * <p>Arguments: data directory, bookie count, volume id, run number (makes write numbers unique
 * across runs).
 */
final class CrashingWriter {
    static final int BLOCK = 4096;
    static final int OUTSTANDING = 16;

    private CrashingWriter() {
    }

    public static void main(String[] args) throws Exception {
        Path dataDir = Path.of(args[0]);
        int bookies = Integer.parseInt(args[1]);
        long volume = Long.parseLong(args[2]);
        long run = Long.parseLong(args[3]);
        FileLedgerCatalog catalog = new FileLedgerCatalog(dataDir.resolve("catalog.txt"));
        LocalBookKeeperCluster cluster = LocalBookKeeperCluster.start(dataDir.resolve("bookkeeper"), bookies, "127.0.0.1");
        BookKeeper client = cluster.newClient(Durability.IMMEDIATE);
        VolumeLog log = VolumeLog.open(client, JournalConfig.forBookies(bookies), volume, catalog.ledgers(volume), catalog,
                record -> { }).get(120, TimeUnit.SECONDS);
        Files.writeString(dataDir.resolve("ready-" + run), "ready");
        Semaphore outstanding = new Semaphore(OUTSTANDING);
        try (OutputStream acks = new FileOutputStream(dataDir.resolve("acks.txt").toFile(), true)) {
            for (long n = 0; ; n++) {
                long writeNumber = (run << 32) | n;
                outstanding.acquire();
                log.append(RecordType.WRITE, offsetOf(writeNumber), BLOCK, Unpooled.wrappedBuffer(payloadOf(writeNumber)))
                        .whenComplete((sequence, error) -> {
                            outstanding.release();
                            if (error == null) {
                                acknowledge(acks, sequence + " " + writeNumber + "\n");
                            }
                        });
            }
        }
    }

    private static void acknowledge(OutputStream acks, String line) {
        // The page cache survives the kill of this process, so a plain write is enough.
        synchronized (acks) {
            try {
                acks.write(line.getBytes(StandardCharsets.US_ASCII));
                acks.flush();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    static long offsetOf(long writeNumber) {
        return Math.floorMod(writeNumber * 31, 1024L) * BLOCK;
    }

    /** Eight bytes of write number, then bytes only that write number produces. */
    static byte[] payloadOf(long writeNumber) {
        byte[] payload = new byte[BLOCK];
        new Random(writeNumber).nextBytes(payload);
        for (int i = 0; i < 8; i++) {
            payload[i] = (byte) (writeNumber >>> (56 - 8 * i));
        }
        return payload;
    }
}
