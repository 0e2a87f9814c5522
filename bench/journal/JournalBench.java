import io.ledgerdisk.journal.Durability;
import io.ledgerdisk.journal.JournalConfig;
import io.ledgerdisk.journal.VolumeLog;
import io.ledgerdisk.journal.bookie.LocalBookKeeperCluster;
import io.ledgerdisk.journal.record.RecordType;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.bookkeeper.client.BookKeeper;
import org.apache.bookkeeper.client.api.DigestType;
import org.apache.bookkeeper.client.api.WriteHandle;

/**
 * Journal latency: bare BookKeeper addEntry against VolumeLog.append, 4 KiB at queue depth 1, on
 * the same embedded bookies in the same run, with the disk's 4 KiB write+fdatasync as the floor.
 * Also VolumeLog at queue depth 32, where group commit shares entries.
 *
 * Usage: java JournalBench.java [operations] [bookies] [data directory]
 */
public final class JournalBench {
    private static final int BLOCK = 4096;

    public static void main(String[] args) throws Exception {
        int operations = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
        int bookies = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        Path dataDir = args.length > 2 ? Path.of(args[2]) : Files.createTempDirectory("journal-bench");
        int warmup = Math.max(100, operations / 10);
        byte[] block = new byte[BLOCK];
        new Random(1).nextBytes(block);
        JournalConfig config = JournalConfig.forBookies(bookies);
        System.out.printf("journal bench: %d ops of %d B after %d warm-up, %d bookies (E%d/Qw%d/Qa%d), data in %s%n",
                operations, BLOCK, warmup, bookies, config.ensembleSize(), config.writeQuorum(), config.ackQuorum(),
                dataDir);

        print("disk 4 KiB write+fdatasync (floor)", fdatasyncFloor(dataDir, block, warmup, operations));
        try (LocalBookKeeperCluster cluster = LocalBookKeeperCluster.start(dataDir.resolve("bk"), bookies, "127.0.0.1")) {
            // Each client speaks the wire protocol a node uses for that durability (v2 for IMMEDIATE,
            // v3 for LAZY), and the bare addEntry baseline uses the IMMEDIATE node's.
            BookKeeper bk = cluster.newClient(Durability.IMMEDIATE);
            BookKeeper lazyBk = cluster.newClient(Durability.LAZY);
            print("bookkeeper addEntry QD1", bareAddEntry(bk, config, block, warmup, operations));
            print("VolumeLog append IMMEDIATE QD1", volumeLogAppend(bk, config, 1, block, warmup, operations));
            JournalConfig lazy = config.withDurability(Durability.LAZY);
            print("VolumeLog append LAZY QD1", volumeLogAppend(lazyBk, lazy, 2, block, warmup, operations));
            throughput("VolumeLog append IMMEDIATE QD32", bk, config, 3, block, operations * 4);
        } finally {
            if (args.length <= 2) {
                deleteRecursively(dataDir);
            }
        }
    }

    private static long[] fdatasyncFloor(Path dir, byte[] block, int warmup, int operations) throws IOException {
        Path file = dir.resolve("fdatasync.bin");
        long[] nanos = new long[operations];
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            for (int i = -warmup; i < operations; i++) {
                long start = System.nanoTime();
                channel.write(ByteBuffer.wrap(block), (long) Math.floorMod(i, 256) * BLOCK);
                channel.force(false);
                if (i >= 0) {
                    nanos[i] = System.nanoTime() - start;
                }
            }
        } finally {
            Files.deleteIfExists(file);
        }
        return nanos;
    }

    private static long[] bareAddEntry(BookKeeper bk, JournalConfig config, byte[] block, int warmup, int operations)
            throws Exception {
        long[] nanos = new long[operations];
        try (WriteHandle ledger = bk.newCreateLedgerOp().withEnsembleSize(config.ensembleSize())
                .withWriteQuorumSize(config.writeQuorum()).withAckQuorumSize(config.ackQuorum())
                .withDigestType(DigestType.CRC32C).withPassword(config.password()).execute().get()) {
            for (int i = -warmup; i < operations; i++) {
                long start = System.nanoTime();
                ledger.appendAsync(Unpooled.wrappedBuffer(block)).get();
                if (i >= 0) {
                    nanos[i] = System.nanoTime() - start;
                }
            }
        }
        return nanos;
    }

    private static long[] volumeLogAppend(BookKeeper bk, JournalConfig config, long volume, byte[] block, int warmup,
            int operations) throws Exception {
        long[] nanos = new long[operations];
        ByteBuf payload = Unpooled.wrappedBuffer(block);
        try (VolumeLog log = VolumeLog.open(bk, config, volume, List.of(),
                (v, ledger, first, created) -> CompletableFuture.completedFuture(null), record -> { }).get()) {
            for (int i = -warmup; i < operations; i++) {
                long start = System.nanoTime();
                log.append(RecordType.WRITE, (long) Math.floorMod(i, 1024) * BLOCK, BLOCK, payload).get();
                if (i >= 0) {
                    nanos[i] = System.nanoTime() - start;
                }
            }
            log.force().get();
        }
        return nanos;
    }

    private static void throughput(String name, BookKeeper bk, JournalConfig config, long volume, byte[] block,
            int operations) throws Exception {
        ByteBuf payload = Unpooled.wrappedBuffer(block);
        Semaphore depth = new Semaphore(32);
        try (VolumeLog log = VolumeLog.open(bk, config, volume, List.of(),
                (v, ledger, first, created) -> CompletableFuture.completedFuture(null), record -> { }).get()) {
            long start = System.nanoTime();
            for (int i = 0; i < operations; i++) {
                depth.acquire();
                log.append(RecordType.WRITE, (long) Math.floorMod(i, 1024) * BLOCK, BLOCK, payload)
                        .whenComplete((s, e) -> depth.release());
            }
            depth.acquire(32);
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf("%-40s %10.0f appends/s  %8.1f MB/s%n", name, operations / seconds,
                    operations * (double) BLOCK / seconds / 1e6);
        }
    }

    private static void print(String name, long[] nanos) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        double mean = Arrays.stream(sorted).average().orElse(0);
        System.out.printf("%-40s median %7.1f µs  p99 %7.1f µs  mean %7.1f µs%n", name,
                sorted[sorted.length / 2] / 1e3, sorted[(int) (sorted.length * 0.99)] / 1e3, mean / 1e3);
    }

    private static void deleteRecursively(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
