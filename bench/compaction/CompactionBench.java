import io.ledgerdisk.chunk.compaction.CompactionConfig;
import io.ledgerdisk.chunk.compaction.Compactor;
import io.ledgerdisk.chunk.compaction.FoldResult;
import io.ledgerdisk.chunk.extent.ExtentMap;
import io.ledgerdisk.chunk.manifest.Manifest;
import io.ledgerdisk.chunk.manifest.ManifestReader;
import io.ledgerdisk.chunk.store.ChunkId;
import io.ledgerdisk.chunk.store.ChunkStore;
import io.ledgerdisk.chunk.store.LocalChunkStore;
import io.ledgerdisk.chunk.store.MemoryChunkStore;
import io.ledgerdisk.journal.record.LogRecord;
import io.ledgerdisk.journal.record.RecordType;
import io.netty.buffer.Unpooled;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.zip.CRC32C;
import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Factory;

/**
 * Compaction throughput: MB/s of logical record data folded into chunk files by ONE core
 * (the fold runs on the calling thread), for random (incompressible) data, compressible data and
 * a mix of the two (64 KiB stretches of each, alternating),
 * large and 4 KiB writes, into a memory store (CPU cost alone) and a local directory store
 * (with fsync). Goal: at least 300 MB/s per core.
 *
 * <p>Baselines measured in the same run, on the same bytes: memcpy, CRC32C and LZ4 alone, so
 * the fold's figure can be read against what the machine does at best.
 *
 * <p>Run with bench/compaction/run.sh (builds the module and its classpath first).
 */
public final class CompactionBench {
    private static final long VOLUME_BYTES = 64L << 30;
    /** Bytes per fold: long enough that JIT compilation is a small share of a round's CPU seconds. */
    private static final int LOGICAL_BYTES = Integer.getInteger("bench.bytes", 512 << 20);
    private static final int ROUNDS = Integer.getInteger("bench.rounds", 3);
    private static final boolean PER_CPU = Boolean.parseBoolean(System.getProperty("bench.cpu", "true"));
    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();

    public static void main(String[] args) throws Exception {
        System.out.printf("compaction bench: %d MiB logical per fold, %d measured rounds (median), 1 thread, %s%n",
                LOGICAL_BYTES >> 20, ROUNDS, System.getProperty("java.vm.version"));
        System.out.printf("rates are MB per %s; load average now %.1f on %d cores%n",
                PER_CPU ? "CPU-second of the whole process (bench.cpu=false: per wall-clock second)" : "wall-clock second",
                OS.getSystemLoadAverage(), Runtime.getRuntime().availableProcessors());
        byte[] random = new byte[LOGICAL_BYTES];
        new Random(1).nextBytes(random);
        byte[] text = compressible(LOGICAL_BYTES);
        byte[] mixed = interleave(random, text, 64 << 10);

        System.out.println();
        System.out.println("baselines (same bytes, same thread)            random MB/s   compressible MB/s");
        System.out.printf("  memcpy (System.arraycopy)                   %10.0f   %10.0f%n", memcpy(random), memcpy(text));
        System.out.printf("  CRC32C                                      %10.0f   %10.0f%n", crc(random), crc(text));
        System.out.printf("  LZ4 fast compress, 64 KiB frames            %10.0f   %10.0f%n", lz4(random), lz4(text));
        System.out.printf("  compression ratio of the data (LZ4)         %10.2f   %10.2f%n", ratio(random), ratio(text));

        System.out.println();
        System.out.println("fold (records -> sorted LZ4/CRC32C chunks)     random MB/s   compressible MB/s   mixed MB/s   goal 300");
        for (int writeSize : new int[] {1 << 20, 64 << 10, 4 << 10}) {
            System.out.printf("  %-7s writes, memory store               %10.0f   %10.0f   %10.0f%n", size(writeSize),
                    fold(random, writeSize, null), fold(text, writeSize, null), fold(mixed, writeSize, null));
        }
        Path dir = Files.createTempDirectory("ledgerdisk-compaction-bench");
        try {
            System.out.printf("  %-7s writes, local dir store (fsync)     %10.0f   %10.0f   %10.0f%n", size(64 << 10),
                    fold(random, 64 << 10, dir), fold(text, 64 << 10, dir), fold(mixed, 64 << 10, dir));
        } finally {
            try (var files = Files.walk(dir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }

        extentMapMemory();
        if (Boolean.parseBoolean(System.getProperty("bench.wa", "true"))) {
            writeAmplification(text);
        }
    }

    /**
     * Heap of the extent map of a 1 TiB volume folded into 4 MiB chunks, then 1% of its blocks
     * overwritten by scattered 4 KiB writes (folded into 64 chunks): the estimate the map reports
     * and the heap actually retained, measured after full collections. This is the map before
     * merging: the merger's defragmenting pass is what keeps it within 64 MiB per TiB.
     */
    private static void extentMapMemory() {
        long blocks = (1L << 40) / 4096;
        Runtime rt = Runtime.getRuntime();
        System.gc();
        long before = rt.totalMemory() - rt.freeMemory();
        ExtentMap map = new ExtentMap();
        for (long first = 0; first < blocks; first += 1024) {
            map.put(first, 1024, ChunkId.newChunk(1, first));
        }
        Random r = new Random(4);
        ChunkId[] hot = new ChunkId[64];
        for (int i = 0; i < hot.length; i++) {
            hot[i] = ChunkId.newChunk(1, blocks + i);
        }
        for (long i = 0; i < blocks / 100; i++) {
            map.put(Math.floorMod(r.nextLong(), blocks), 1, hot[(int) (i % hot.length)]);
        }
        System.gc();
        long after = rt.totalMemory() - rt.freeMemory();
        System.out.println();
        System.out.printf("extent map of 1 TiB in 4 MiB chunks + 1%% random 4 KiB overwrites, BEFORE merging: %d extents,"
                + " estimate %.1f MiB, measured %.1f MiB%n  (budget 64 MiB per TiB: ChunkMerger rewrites the most"
                + " fragmented regions until the map is under it)%n", map.size(),
                map.heapBytesEstimate() / 1048576.0, (after - before) / 1048576.0);
    }

    /**
     * Write amplification of scattered 4 KiB overwrites on a 1 GiB volume (whose 64 KiB extent
     * map budget is the 64 MiB per TiB ratio): the volume is filled sequentially, then 4 folds
     * of 16 MiB of random 4 KiB overwrites each are folded, each followed by merge passes until
     * the merger has nothing left and by garbage collection. Prints chunk bytes written by folds
     * and by merges per byte the clients wrote.
     */
    private static void writeAmplification(byte[] text) {
        int volumeBytes = 1 << 30;
        MemoryChunkStore store = new MemoryChunkStore();
        ManifestReader reader = new ManifestReader(store, 1024, 0);
        CompactionConfig config = CompactionConfig.defaults().withGcGracePeriod(java.time.Duration.ZERO);
        Compactor compactor = new Compactor(reader, config, Runnable::run, System::currentTimeMillis);
        io.ledgerdisk.chunk.compaction.ChunkMerger merger =
                new io.ledgerdisk.chunk.compaction.ChunkMerger(reader, config, Runnable::run, System::currentTimeMillis);
        io.ledgerdisk.chunk.compaction.ChunkGarbageCollector gc =
                new io.ledgerdisk.chunk.compaction.ChunkGarbageCollector(store, java.time.Duration.ZERO, () -> Long.MAX_VALUE / 2);
        long seq = 0;
        List<LogRecord> fill = new ArrayList<>();
        for (long off = 0; off < volumeBytes; off += text.length) {
            int n = (int) Math.min(text.length, volumeBytes - off);
            fill.add(new LogRecord(1, ++seq, seq, RecordType.WRITE, off, n, Unpooled.wrappedBuffer(text, 0, n)));
        }
        Manifest m = compactor.fold(Manifest.empty(1, 0), fill, seq).join().manifest();
        Random r = new Random(5);
        long clientBytes = 0;
        long foldBytes = 0;
        long mergeBytes = 0;
        int passes = 0;
        java.util.Map<io.ledgerdisk.chunk.compaction.MergePolicy.Reason, Long> byReason =
                new java.util.EnumMap<>(io.ledgerdisk.chunk.compaction.MergePolicy.Reason.class);
        long t0 = System.nanoTime();
        for (int fold = 0; fold < 4; fold++) {
            List<LogRecord> records = new ArrayList<>();
            for (int i = 0; i < 4096; i++) {
                int src = r.nextInt(text.length / 4096) * 4096;
                records.add(new LogRecord(1, ++seq, seq, RecordType.WRITE, (long) r.nextInt(volumeBytes / 4096) * 4096,
                        4096, Unpooled.wrappedBuffer(text, src, 4096)));
                clientBytes += 4096;
            }
            FoldResult f = compactor.fold(m, records, seq).join();
            foldBytes += f.written().stream().mapToLong(w -> w.length()).sum();
            m = f.manifest();
            java.util.Optional<FoldResult> merged;
            while (true) {
                io.ledgerdisk.chunk.compaction.MergePolicy.Plan plan = merger.policy().plan(m);
                if ((merged = merger.merge(m).join()).isEmpty()) {
                    break;
                }
                long written = merged.get().written().stream().mapToLong(w -> w.length()).sum();
                mergeBytes += written;
                byReason.merge(plan.reason(), written, Long::sum);
                m = merged.get().manifest();
                passes++;
            }
            gc.collect(io.ledgerdisk.chunk.compaction.ChunkGarbageCollector.reachableFrom(List.of(m)), id -> true).join();
        }
        System.out.println();
        System.out.printf("write amplification, 64 MiB of random 4 KiB overwrites on a 1 GiB volume (compressible data):%n"
                + "  fold %.2f + merge %.2f chunk bytes per client byte, %d merge passes, %d extents left"
                + " (%.0f KiB of map), %.1f s%n", (double) foldBytes / clientBytes, (double) mergeBytes / clientBytes,
                passes, m.extents().size(), m.extents().heapBytesEstimate() / 1024.0, (System.nanoTime() - t0) / 1e9);
        long client = clientBytes;
        System.out.printf("  merge bytes per client byte by trigger: %s%n", byReason.entrySet().stream()
                .map(e -> e.getKey() + " " + String.format("%.2f", (double) e.getValue() / client)).toList());
        // Space after merging: stored data blocks per live block, and chunk bytes per live chunk byte
        // (a chunk's live bytes taken as its length times its live fraction).
        java.util.Map<ChunkId, Long> live = m.extents().liveBlocksByChunk();
        long storedBlocks = 0;
        long liveBlocks = 0;
        double liveBytes = 0;
        for (io.ledgerdisk.chunk.manifest.ChunkDescriptor c : m.chunks()) {
            long l = live.getOrDefault(c.id(), 0L);
            storedBlocks += c.dataBlocks();
            liveBlocks += l;
            liveBytes += c.dataBlocks() == 0 ? 0 : (double) c.length() * l / c.dataBlocks();
        }
        System.out.printf("  space after merging: %.3f stored blocks per live block, %.3f chunk bytes per live chunk byte"
                + " (bound 1.5); extent map %.1f MiB per TiB (goal <= 64)%n", (double) storedBlocks / liveBlocks,
                m.storedBytes() / liveBytes, m.extents().heapBytesEstimate() / 1048576.0 * (1L << 40) / volumeBytes);
        store.close();
    }

    private static String size(int bytes) {
        return bytes >= 1 << 20 ? (bytes >> 20) + " MiB" : (bytes >> 10) + " KiB";
    }

    /** Alternating stretches of {@code a} and {@code b}, {@code stretch} bytes each, from the same offsets. */
    private static byte[] interleave(byte[] a, byte[] b, int stretch) {
        byte[] out = new byte[a.length];
        for (int at = 0, i = 0; at < out.length; at += stretch, i++) {
            System.arraycopy(i % 2 == 0 ? a : b, at, out, at, Math.min(stretch, out.length - at));
        }
        return out;
    }

    /** Text-like bytes that LZ4 compresses about 3:1, like file-system metadata and logs. */
    private static byte[] compressible(int length) {
        byte[] out = new byte[length];
        Random r = new Random(2);
        String[] words = {"ledger", "chunk", "volume", "block ", "extent", "manifest", "0000", "\n", "    ", "error",
                "fold ", "frame", "2026-11-22T02:00:00Z ", "INFO ", "sequence=", "offset="};
        int i = 0;
        while (i < length) {
            byte[] w = words[r.nextInt(words.length)].getBytes();
            int n = Math.min(w.length, length - i);
            System.arraycopy(w, 0, out, i, n);
            i += n;
            if (r.nextInt(8) == 0 && i < length) {
                out[i++] = (byte) ('0' + r.nextInt(10));
            }
        }
        return out;
    }

    /**
     * Median MB/s over ROUNDS after one warm-up round. With {@code bench.cpu=true} (the default)
     * the rate is per second of CPU used by the whole process (GC and JIT included), which is
     * what "per core" means on a machine shared with other work; otherwise per wall-clock second.
     */
    private static double measure(long bytes, Runnable work) {
        work.run();
        double[] rates = new double[ROUNDS];
        for (int i = 0; i < ROUNDS; i++) {
            long c0 = PER_CPU ? OS.getProcessCpuTime() : 0;
            long t0 = System.nanoTime();
            long done = 0;
            long elapsed;
            // Repeat short work until a quarter second has passed: CPU clocks tick coarsely.
            do {
                work.run();
                done += bytes;
                elapsed = PER_CPU ? OS.getProcessCpuTime() - c0 : System.nanoTime() - t0;
            } while (elapsed < 250_000_000L);
            rates[i] = done / 1e6 / (elapsed / 1e9);
        }
        Arrays.sort(rates);
        return rates[ROUNDS / 2];
    }

    private static double memcpy(byte[] data) {
        byte[] dst = new byte[data.length];
        return measure(data.length, () -> System.arraycopy(data, 0, dst, 0, data.length));
    }

    private static double crc(byte[] data) {
        return measure(data.length, () -> {
            CRC32C c = new CRC32C();
            c.update(data, 0, data.length);
            if (c.getValue() == 42) {
                System.out.print("");
            }
        });
    }

    private static double lz4(byte[] data) {
        LZ4Compressor lz4 = LZ4Factory.fastestInstance().fastCompressor();
        byte[] dst = new byte[lz4.maxCompressedLength(65536)];
        return measure(data.length, () -> {
            for (int off = 0; off < data.length; off += 65536) {
                lz4.compress(data, off, 65536, dst, 0, dst.length);
            }
        });
    }

    private static double ratio(byte[] data) {
        LZ4Compressor lz4 = LZ4Factory.fastestInstance().fastCompressor();
        byte[] dst = new byte[lz4.maxCompressedLength(65536)];
        long stored = 0;
        for (int off = 0; off < data.length; off += 65536) {
            stored += Math.min(65536, lz4.compress(data, off, 65536, dst, 0, dst.length));
        }
        return (double) data.length / stored;
    }

    /**
     * Folds LOGICAL_BYTES of writes of {@code writeSize} at random aligned offsets of a 64 GiB
     * volume, payloads sliced from {@code data}, on this thread.
     */
    private static double fold(byte[] data, int writeSize, Path dir) {
        Random r = new Random(3);
        List<LogRecord> records = new ArrayList<>();
        long slots = VOLUME_BYTES / writeSize;
        for (int off = 0, seq = 1; off < data.length; off += writeSize, seq++) {
            long offset = (Math.floorMod(r.nextLong(), slots)) * writeSize;
            records.add(new LogRecord(1, seq, seq, RecordType.WRITE, offset, writeSize,
                    Unpooled.wrappedBuffer(data, off, writeSize)));
        }
        long toSequence = records.size();
        int[] run = {0};
        return measure(data.length, () -> {
            ChunkStore store = dir == null ? new MemoryChunkStore() : LocalChunkStore.open(dir.resolve("r" + run[0]++), 2);
            try (store) {
                Compactor compactor = new Compactor(new ManifestReader(store, 16), CompactionConfig.defaults(),
                        Runnable::run, System::currentTimeMillis);
                FoldResult result = compactor.fold(Manifest.empty(1, 0), records, toSequence).join();
                if (result.logicalBytes() != data.length) {
                    throw new IllegalStateException("folded " + result.logicalBytes() + " bytes, expected " + data.length);
                }
            }
        });
    }
}
