package io.ledgerdisk.appliance.it;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * An appliance started the way an operator starts it ({@code bin/ledgerdisk dev}) as a
 * separate process, on free loopback ports, so a test can {@code kill -9} it and restart it on
 * the same data directory.
 */
final class ApplianceProcess implements AutoCloseable {

    static final Path ROOT = Path.of(System.getProperty("ledgerdisk.root", "..")).toAbsolutePath().normalize();
    static final Path LAUNCHER = ROOT.resolve("bin/ledgerdisk");

    final Path dataDir;
    final int nbdPort;
    final int httpPort;
    private final int bookies;
    private final List<String> extraOptions;
    private final Path logFile;
    private Process process;
    private int starts;

    ApplianceProcess(Path dataDir, int bookies) throws IOException {
        this(dataDir, bookies, List.of());
    }

    /** @param extraOptions more {@code dev} options, e.g. {@code --config FILE} */
    ApplianceProcess(Path dataDir, int bookies, List<String> extraOptions) throws IOException {
        this.dataDir = dataDir;
        this.bookies = bookies;
        this.extraOptions = List.copyOf(extraOptions);
        this.nbdPort = freePort();
        this.httpPort = freePort();
        this.logFile = dataDir.resolveSibling(dataDir.getFileName() + ".log");
    }

    String nbdUri(String volume) {
        return "nbd://127.0.0.1:" + nbdPort + "/" + volume;
    }

    String apiUrl() {
        return "http://127.0.0.1:" + httpPort;
    }

    /** Starts the node and waits until its health endpoint answers 200. */
    ApplianceProcess start() throws Exception {
        starts++;
        Files.writeString(logFile, "---- start " + starts + "\n", java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        List<String> command = new java.util.ArrayList<>(List.of(LAUNCHER.toString(), "dev",
                "--data", dataDir.toString(),
                "--nbd", "127.0.0.1:" + nbdPort,
                "--http", "127.0.0.1:" + httpPort,
                "--bookies", Integer.toString(bookies)));
        command.addAll(extraOptions);
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
        builder.environment().put("JAVA_OPTS", "-Xmx1g");
        process = builder.start();
        awaitHealthy(Duration.ofSeconds(120));
        return this;
    }

    /** SIGKILL: no shutdown hook runs, nothing is flushed on the way out. */
    void kill9() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new AssertionError("appliance did not die on SIGKILL");
        }
    }

    /** SIGTERM: a clean stop. Returns the exit code. */
    int terminate() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
            throw new AssertionError("appliance did not stop within 60 s of SIGTERM:\n" + log());
        }
        return process.exitValue();
    }

    /** Runs {@code bin/ledgerdisk ARGS --api URL} against this node. */
    ExternalCommand.Result cli(String... args) throws Exception {
        String[] command = new String[args.length + 3];
        command[0] = LAUNCHER.toString();
        System.arraycopy(args, 0, command, 1, args.length);
        command[args.length + 1] = "--api";
        command[args.length + 2] = apiUrl();
        return ExternalCommand.run(command);
    }

    String log() {
        try {
            return Files.readString(logFile);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    int health() throws IOException, InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create(apiUrl() + "/api/v1/health")).timeout(Duration.ofSeconds(5)).build();
        return http.send(request, HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    private void awaitHealthy(Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError("appliance exited with " + process.exitValue() + " while starting:\n" + log());
            }
            try {
                if (health() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // Not listening yet: keep polling.
            }
            Thread.sleep(200);
        }
        throw new AssertionError("appliance not healthy within " + timeout + ":\n" + log());
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            kill9();
        }
    }

    /**
     * A free port below the kernel's ephemeral range. The node starts bookies, ZooKeeper and Ratis on port 0
     * after we chose our ports; a port from the ephemeral range (what {@code new ServerSocket(0)} hands out)
     * could be given to one of them first, and the node then fails to bind its NBD or HTTP port. Restarts
     * keep the ports, so the choice must stay safe for the whole test.
     */
    private static int freePort() throws IOException {
        int ephemeralLow = ephemeralRangeStart();
        java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
        for (int attempt = 0; attempt < 200 && ephemeralLow > 20_000; attempt++) {
            int port = random.nextInt(10_000, ephemeralLow);
            try (ServerSocket socket = new ServerSocket(port, 1, java.net.InetAddress.getLoopbackAddress())) {
                return socket.getLocalPort();
            } catch (IOException taken) {
                // In use: try another.
            }
        }
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static int ephemeralRangeStart() {
        try {
            String range = Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range"));
            return Integer.parseInt(range.trim().split("\\s+")[0]);
        } catch (IOException | RuntimeException unknown) {
            return 0;
        }
    }
}
