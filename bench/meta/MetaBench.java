import io.ledgerdisk.meta.MetaClient;
import io.ledgerdisk.meta.MetaPeer;
import io.ledgerdisk.meta.MetaServer;
import io.ledgerdisk.meta.MetaServerConfig;
import io.ledgerdisk.meta.placement.PlacementSimulator;
import io.ledgerdisk.meta.placement.SimulationReport;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

/**
 * Metadata benchmark (not a test): a one-peer Ratis group on loopback against the disk's own
 * 4 KiB write+fsync in the same directory (the floor under every Raft commit), and the placement
 * engine at the design's scale. Run with bench/meta/run.sh.
 */
public final class MetaBench {

    public static void main(String[] args) throws Exception {
        int ops = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
        Path dir = Files.createTempDirectory("ledgerdisk-meta-bench");
        try {
            System.out.printf("baseline  4 KiB write+fsync, same disk: median %.3f ms, p99 %.3f ms%n",
                    fsyncMillis(dir, ops, 50), fsyncMillis(dir, ops, 99));
            ratis(dir.resolve("ratis"), ops);
            placement();
        } finally {
            try (Stream<Path> walk = Files.walk(dir)) {
                for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    private static double fsyncMillis(Path dir, int ops, int percentile) throws IOException {
        long[] nanos = new long[ops];
        Path file = dir.resolve("fsync.bin");
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            ByteBuffer block = ByteBuffer.allocateDirect(4096);
            for (int i = 0; i < ops; i++) {
                block.clear();
                long start = System.nanoTime();
                channel.write(block, (long) i * 4096);
                channel.force(false);
                nanos[i] = System.nanoTime() - start;
            }
        }
        Files.delete(file);
        return percentile(nanos, percentile) / 1e6;
    }

    private static void ratis(Path storage, int ops) throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        MetaPeer peer = new MetaPeer("bench", "127.0.0.1", port);
        try (MetaServer server = MetaServer.start(MetaServerConfig.single(peer, storage));
             MetaClient client = MetaClient.connect(List.of(peer))) {
            while (!server.isReady()) {
                Thread.sleep(10);
            }
            for (int i = 0; i < 200; i++) {
                client.createVolume("warm-" + i, 4096).get();
            }
            long[] nanos = new long[ops];
            for (int i = 0; i < ops; i++) {
                long start = System.nanoTime();
                client.createVolume("seq-" + i, 4096).get();
                nanos[i] = System.nanoTime() - start;
            }
            System.out.printf("ratis     createVolume sequential (1 peer, log fsync): median %.3f ms, p99 %.3f ms%n",
                    percentile(nanos, 50) / 1e6, percentile(nanos, 99) / 1e6);

            long start = System.nanoTime();
            List<CompletableFuture<?>> inFlight = new ArrayList<>(ops);
            for (int i = 0; i < ops; i++) {
                inFlight.add(client.createVolume("pipe-" + i, 4096));
            }
            CompletableFuture.allOf(inFlight.toArray(CompletableFuture[]::new)).get();
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf("ratis     createVolume pipelined from one client: %.0f commands/s%n", ops / seconds);

            long[] reads = new long[Math.min(ops, 500)];
            for (int i = 0; i < reads.length; i++) {
                long t = System.nanoTime();
                client.volume("seq-" + i).get();
                reads[i] = System.nanoTime() - t;
            }
            System.out.printf("ratis     volume(name) linearizable read: median %.3f ms, p99 %.3f ms%n",
                    percentile(reads, 50) / 1e6, percentile(reads, 99) / 1e6);

            long snapStart = System.nanoTime();
            long index = server.takeSnapshot().get();
            System.out.printf("ratis     snapshot of %d volumes at index %d: %.1f ms%n",
                    client.listVolumes().get().size(), index, (System.nanoTime() - snapStart) / 1e6);
        }
    }

    private static void placement() {
        int[][] cases = {{1000, 40, 65536, 3, 10}, {1000, 1000, 65536, 3, 10}, {500, 50, 16384, 3, 25}, {60, 6, 4096, 3, 1}};
        for (int[] c : cases) {
            SimulationReport report = PlacementSimulator.simulate(c[0], c[1], c[2], c[3], c[4], null, 1);
            System.out.printf("placement nodes=%d domains=%d pgs=%d replicas=%d remove=%d: %s%n",
                    c[0], c[1], c[2], c[3], c[4], report.toJson());
        }
        double[] weights = new double[300];
        for (int i = 0; i < weights.length; i++) {
            weights[i] = 1.0 + (i % 4) * 0.5;
        }
        System.out.printf("placement nodes=300 domains=30 pgs=16384 replicas=3 remove=5 weights=1..2.5: %s%n",
                PlacementSimulator.simulate(300, 30, 16384, 3, 5, weights, 1).toJson());
        System.out.println("placement goals: uniformity >= 0.96, moved_pgs <= 1.25 x optimal_moved_pgs, 65536x3 on 1000 nodes < 5000 ms");
    }

    private static long percentile(long[] values, int percentile) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[Math.min(sorted.length - 1, sorted.length * percentile / 100)];
    }
}
