package io.ledgerdisk.appliance.node;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Properties;

/**
 * The little a node remembers about itself between starts, in {@code DATA/node.properties}:
 * the metadata peer's port (it is part of the Raft configuration, so it must not change),
 * whether the demo volume and the default pool were already created, and optionally the node's
 * id in the cluster ({@code node.id}). Written atomically (temp file + rename).
 */
final class NodeState {

    private static final String FILE = "node.properties";
    private static final String META_PORT = "meta.port";
    private static final String DEMO_CREATED = "demo.created";
    private static final String NODE_ID = "node.id";
    private static final String DEFAULT_NODE_ID = "n1";
    private static final String DEFAULT_POOL_CREATED = "default.pool.created";

    private final Path file;
    private final Properties properties = new Properties();

    private NodeState(Path file) {
        this.file = file;
    }

    static NodeState load(Path dataDir) {
        NodeState state = new NodeState(dataDir.resolve(FILE));
        if (Files.exists(state.file)) {
            try (InputStream in = Files.newInputStream(state.file)) {
                state.properties.load(in);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + state.file, e);
            }
        }
        return state;
    }

    /** The metadata peer's port, chosen (a free one) on the first start and kept afterwards. */
    int metaPort() {
        String port = properties.getProperty(META_PORT);
        if (port == null) {
            port = Integer.toString(freePort());
            properties.setProperty(META_PORT, port);
            save();
        }
        return Integer.parseInt(port);
    }

    boolean demoCreated() {
        return Boolean.parseBoolean(properties.getProperty(DEMO_CREATED));
    }

    void markDemoCreated() {
        properties.setProperty(DEMO_CREATED, "true");
        save();
    }

    /** The node's id in the cluster metadata: {@code node.id}, or {@code n1} when the file does not set one. */
    String nodeId() {
        return properties.getProperty(NODE_ID, DEFAULT_NODE_ID).trim();
    }

    boolean defaultPoolCreated() {
        return Boolean.parseBoolean(properties.getProperty(DEFAULT_POOL_CREATED));
    }

    void markDefaultPoolCreated() {
        properties.setProperty(DEFAULT_POOL_CREATED, "true");
        save();
    }

    private void save() {
        Path temp = file.resolveSibling(FILE + ".tmp");
        try (OutputStream out = Files.newOutputStream(temp)) {
            properties.store(out, "Ledgerdisk node state; do not edit while the node runs");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + temp, e);
        }
        try {
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot replace " + file, e);
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot find a free port", e);
        }
    }
}
