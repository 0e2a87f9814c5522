package io.ledgerdisk.chunk.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real S3-compatible server (s3proxy 4.1.0, filesystem backend) as a separate {@code java}
 * process on 127.0.0.1, for integration tests. s3proxy stays out of the product's classpath:
 * its own classpath is resolved once with {@code mvn dependency:build-classpath} from a small
 * pom shipped beside this class, and cached under {@code ledgerdisk.s3proxy.work} (default
 * {@code target/s3proxy}).
 *
 * <p>Other modules reuse it through this module's test jar:
 * {@code try (S3ProxyProcess s3 = S3ProxyProcess.start(tempDir)) { ... s3.endpoint() ... }}.
 * {@link #stop()} and {@link #restart()} (same port, same data) simulate an outage.
 *
 * <p>Not thread-safe: one test thread drives it. The process is also killed by a JVM shutdown
 * hook, so a crashed test run does not leave it behind.
 */
public final class S3ProxyProcess implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(S3ProxyProcess.class);
    /** Access key the server accepts. */
    public static final String IDENTITY = "ledgerdisk-test";
    /** Secret key the server accepts. */
    public static final String CREDENTIAL = "ledgerdisk-test-secret";
    private static final String POM_RESOURCE = "s3proxy-pom.xml";
    private static final long START_TIMEOUT_MILLIS = 60_000;

    private final Path dataDir;
    private final int port;
    private final Path log;
    private Process process;
    private final Thread shutdownHook;

    private S3ProxyProcess(Path dataDir, int port) {
        this.dataDir = dataDir;
        this.port = port;
        this.log = dataDir.resolve("s3proxy.log");
        this.shutdownHook = new Thread(this::kill, "s3proxy-shutdown");
    }

    /** Starts s3proxy on a free port keeping its objects under {@code dataDir}; blocks until it answers. */
    public static S3ProxyProcess start(Path dataDir) {
        S3ProxyProcess s3 = new S3ProxyProcess(dataDir, freePort());
        Runtime.getRuntime().addShutdownHook(s3.shutdownHook);
        s3.launch();
        return s3;
    }

    /** The endpoint to give an S3 client (path-style addressing). */
    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + port);
    }

    public int port() {
        return port;
    }

    /** Whether the server process is running. */
    public boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** Stops the server (requests fail with connection errors until {@link #restart()}). */
    public void stop() {
        kill();
    }

    /** Starts the server again on the same port with the same objects; blocks until it answers. */
    public void restart() {
        if (isRunning()) {
            throw new IllegalStateException("s3proxy on port " + port + " is already running");
        }
        launch();
    }

    @Override
    public void close() {
        kill();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            LOG.debug("JVM is shutting down; the hook will run anyway");
        }
    }

    private void launch() {
        try {
            Path objects = Files.createDirectories(dataDir.resolve("objects"));
            Path conf = dataDir.resolve("s3proxy.conf");
            Files.writeString(conf, String.join("\n",
                    "s3proxy.endpoint=http://127.0.0.1:" + port,
                    "s3proxy.authorization=aws-v2-or-v4",
                    "s3proxy.identity=" + IDENTITY,
                    "s3proxy.credential=" + CREDENTIAL,
                    "jclouds.provider=filesystem-nio2",
                    "jclouds.filesystem.basedir=" + objects.toAbsolutePath(),
                    ""), StandardCharsets.UTF_8);
            Path logback = dataDir.resolve("logback.xml");
            Files.writeString(logback, "<configuration><appender name=\"OUT\" class=\"ch.qos.logback.core.ConsoleAppender\">"
                    + "<encoder><pattern>%d %-5level %logger{20} - %msg%n</pattern></encoder></appender>"
                    + "<root level=\"WARN\"><appender-ref ref=\"OUT\"/></root></configuration>", StandardCharsets.UTF_8);
            String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
            List<String> command = List.of(java, "-Xmx256m", "-XX:TieredStopAtLevel=1",
                    "-Dlogback.configurationFile=" + logback.toAbsolutePath(),
                    "-cp", classpath(), "org.gaul.s3proxy.Main", "--properties", conf.toAbsolutePath().toString());
            process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start s3proxy (log " + log + ")", e);
        }
        awaitListening();
        LOG.info("s3proxy listening on {} (pid {}, data {})", endpoint(), process.pid(), dataDir);
    }

    private void awaitListening() {
        long deadline = System.currentTimeMillis() + START_TIMEOUT_MILLIS;
        while (System.currentTimeMillis() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("s3proxy exited with " + process.exitValue() + " while starting; see "
                        + log + ":\n" + tail());
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException notYet) {
                sleep(100);
            }
        }
        kill();
        throw new IllegalStateException("s3proxy did not listen on port " + port + " within " + START_TIMEOUT_MILLIS
                + " ms; see " + log + ":\n" + tail());
    }

    private void kill() {
        Process p = process;
        if (p == null || !p.isAlive()) {
            return;
        }
        p.destroy();
        try {
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        // The port must be free again before a restart binds it.
        awaitPortFree();
    }

    private void awaitPortFree() {
        long deadline = System.currentTimeMillis() + 10_000;
        while (System.currentTimeMillis() < deadline) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 100);
                sleep(50);
            } catch (IOException closed) {
                return;
            }
        }
    }

    private String tail() {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(cannot read " + log + ": " + e + ")";
        }
    }

    /**
     * s3proxy's runtime classpath, resolved with Maven on first use and cached. Blocks (the
     * first resolution downloads s3proxy and its dependencies, about a minute).
     */
    public static synchronized String classpath() {
        Path work = Paths.get(System.getProperty("ledgerdisk.s3proxy.work", "target/s3proxy")).toAbsolutePath();
        Path cached = work.resolve("classpath.txt");
        try {
            Files.createDirectories(work);
            try (FileChannel lockFile = FileChannel.open(work.resolve(".lock"), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE);
                    FileLock lock = lockFile.lock()) {
                if (isUsable(cached)) {
                    return Files.readString(cached, StandardCharsets.UTF_8).trim();
                }
                Path pom = work.resolve("pom.xml");
                try (InputStream in = S3ProxyProcess.class.getResourceAsStream(POM_RESOURCE)) {
                    if (in == null) {
                        throw new IllegalStateException("resource " + POM_RESOURCE + " is missing beside "
                                + S3ProxyProcess.class.getName());
                    }
                    Files.copy(in, pom, StandardCopyOption.REPLACE_EXISTING);
                }
                List<String> command = new ArrayList<>(List.of(mavenExecutable(), "-B", "-q", "-f", pom.toString(),
                        "dependency:build-classpath", "-Dmdep.outputFile=" + cached));
                Path mvnLog = work.resolve("resolve.log");
                Process mvn = new ProcessBuilder(command).redirectErrorStream(true)
                        .redirectOutput(mvnLog.toFile()).start();
                if (!mvn.waitFor(5, TimeUnit.MINUTES)) {
                    mvn.destroyForcibly();
                    throw new IllegalStateException("resolving s3proxy's classpath took over 5 minutes; see " + mvnLog);
                }
                if (mvn.exitValue() != 0 || !isUsable(cached)) {
                    throw new IllegalStateException("resolving s3proxy's classpath failed (" + String.join(" ", command)
                            + "); see " + mvnLog);
                }
                return Files.readString(cached, StandardCharsets.UTF_8).trim();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot resolve s3proxy's classpath in " + work, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while resolving s3proxy's classpath", e);
        }
    }

    private static boolean isUsable(Path classpathFile) throws IOException {
        if (!Files.isRegularFile(classpathFile)) {
            return false;
        }
        String cp = Files.readString(classpathFile, StandardCharsets.UTF_8).trim();
        if (cp.isEmpty()) {
            return false;
        }
        for (String jar : cp.split(java.io.File.pathSeparator)) {
            if (!Files.exists(Paths.get(jar))) {
                return false;
            }
        }
        return true;
    }

    private static String mavenExecutable() {
        String home = System.getProperty("maven.home");
        if (home != null && !home.isBlank()) {
            Path mvn = Paths.get(home, "bin", "mvn");
            if (Files.isExecutable(mvn)) {
                return mvn.toString();
            }
        }
        return "mvn";
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port on 127.0.0.1", e);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for s3proxy", e);
        }
    }
}
