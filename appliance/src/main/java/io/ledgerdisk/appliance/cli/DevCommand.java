package io.ledgerdisk.appliance.cli;

import io.ledgerdisk.appliance.node.DevNode;
import io.ledgerdisk.appliance.node.HostPort;
import io.ledgerdisk.appliance.node.NodeConfig;
import io.ledgerdisk.journal.Durability;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import org.apache.logging.log4j.LogManager;

/** {@code ledgerdisk dev}: runs the embedded single-machine appliance until SIGTERM or Ctrl-C. */
public final class DevCommand {

    static final String USAGE = """
            usage: ledgerdisk dev [--data DIR] [--nbd HOST:PORT] [--http HOST:PORT] [--bookies N]
                                  [--durability immediate|lazy] [--config FILE]
              defaults: --data ./data --nbd 127.0.0.1:10809 --http 127.0.0.1:8080 --bookies 1
                        --durability immediate
              FILE: a properties file with chunks.* (chunk store: local or s3) and
                    compaction.* settings; see docs/operations.md
            """;

    private DevCommand() {
    }

    public static void run(List<String> args) throws Exception {
        NodeConfig config = parse(args);
        DevNode node = DevNode.start(config);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            node.close();
            stopped.countDown();
            LogManager.shutdown();
        }, "ledgerdisk-shutdown"));
        stopped.await();
    }

    static NodeConfig parse(List<String> args) {
        CliArgs parsed = CliArgs.parse(args, Set.of("--data", "--nbd", "--http", "--bookies", "--durability", "--config"), Set.of());
        if (!parsed.positional().isEmpty()) {
            throw new UsageException("dev takes no argument '" + parsed.positional().get(0) + "'\n" + USAGE);
        }
        NodeConfig defaults = NodeConfig.defaults();
        try {
            return new NodeConfig(
                    Path.of(parsed.option("--data", defaults.dataDir().toString())),
                    parsed.flag("--nbd") ? HostPort.parse(parsed.option("--nbd", null), "--nbd") : defaults.nbd(),
                    parsed.flag("--http") ? HostPort.parse(parsed.option("--http", null), "--http") : defaults.http(),
                    parseBookies(parsed.option("--bookies", Integer.toString(defaults.bookies()))),
                    parseDurability(parsed.option("--durability", defaults.durability().name())),
                    settings(parsed.option("--config", null)));
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
    }

    private static Map<String, String> settings(String file) {
        if (file == null) {
            return Map.of();
        }
        Properties properties = new Properties();
        try (Reader in = Files.newBufferedReader(Path.of(file))) {
            properties.load(in);
        } catch (IOException e) {
            throw new IllegalArgumentException("--config " + file + " cannot be read: " + e.getMessage(), e);
        }
        Map<String, String> settings = new HashMap<>();
        properties.stringPropertyNames().forEach(key -> settings.put(key, properties.getProperty(key).trim()));
        return settings;
    }

    private static Durability parseDurability(String text) {
        try {
            return Durability.valueOf(text.toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--durability must be immediate or lazy; got '" + text + "'", e);
        }
    }

    private static int parseBookies(String text) {
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--bookies must be a number; got '" + text + "'", e);
        }
    }
}
