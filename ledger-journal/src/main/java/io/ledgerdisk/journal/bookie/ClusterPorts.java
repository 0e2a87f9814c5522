package io.ledgerdisk.journal.bookie;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashSet;
import java.util.Properties;
import java.util.Set;

/**
 * The ports of a {@link LocalBookKeeperCluster}, chosen free on the first start and persisted in
 * {@code cluster.properties}, because bookie addresses are recorded in ledger metadata and
 * cookies and must not change. Also remembers whether BookKeeper's metadata was initialised.
 * Not thread-safe.
 */
final class ClusterPorts {
    static final String FILE_NAME = "cluster.properties";
    private static final String ZOOKEEPER_PORT = "zookeeper.port";
    private static final String BOOKIE_PORT = "bookie.%d.port";
    private static final String INITIALIZED = "bookkeeper.initialized";

    private final Path file;
    private final Properties properties;

    private ClusterPorts(Path file, Properties properties) {
        this.file = file;
        this.properties = properties;
    }

    /** Loads the persisted ports, choosing and persisting free ones for anything missing. */
    static ClusterPorts loadOrAssign(Path dataDir, String host, int bookies) throws IOException {
        Path file = dataDir.resolve(FILE_NAME);
        Properties properties = new Properties();
        if (Files.exists(file)) {
            try (InputStream in = Files.newInputStream(file)) {
                properties.load(in);
            }
        }
        ClusterPorts ports = new ClusterPorts(file, properties);
        Set<Integer> taken = new HashSet<>();
        for (String key : properties.stringPropertyNames()) {
            if (key.endsWith(".port")) {
                taken.add(ports.port(key));
            }
        }
        boolean changed = false;
        InetAddress address = InetAddress.getByName(host);
        if (!properties.containsKey(ZOOKEEPER_PORT)) {
            properties.setProperty(ZOOKEEPER_PORT, Integer.toString(freePort(address, taken)));
            changed = true;
        }
        for (int i = 0; i < bookies; i++) {
            String key = String.format(BOOKIE_PORT, i);
            if (!properties.containsKey(key)) {
                properties.setProperty(key, Integer.toString(freePort(address, taken)));
                changed = true;
            }
        }
        if (changed) {
            ports.save();
        }
        return ports;
    }

    int zooKeeperPort() {
        return port(ZOOKEEPER_PORT);
    }

    int bookiePort(int index) {
        return port(String.format(BOOKIE_PORT, index));
    }

    boolean initialized() {
        return Boolean.parseBoolean(properties.getProperty(INITIALIZED, "false"));
    }

    void markInitialized() throws IOException {
        properties.setProperty(INITIALIZED, "true");
        save();
    }

    private int port(String key) {
        String value = properties.getProperty(key);
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalStateException(file + ": " + key + " = '" + value + "' is not a port number", e);
        }
    }

    /** Written to a temporary file and renamed, so a crash never leaves half a file. */
    private void save() throws IOException {
        Path temporary = file.resolveSibling(FILE_NAME + ".tmp");
        try (OutputStream out = Files.newOutputStream(temporary)) {
            properties.store(out, "Ledgerdisk local BookKeeper cluster: ports are part of bookie identity, do not edit");
        }
        Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private static int freePort(InetAddress address, Set<Integer> taken) throws IOException {
        while (true) {
            try (ServerSocket socket = new ServerSocket(0, 1, address)) {
                int port = socket.getLocalPort();
                if (taken.add(port)) {
                    return port;
                }
            }
        }
    }
}
