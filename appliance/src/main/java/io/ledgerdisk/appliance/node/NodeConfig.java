package io.ledgerdisk.appliance.node;

import io.ledgerdisk.journal.Durability;
import java.nio.file.Path;

/**
 * How an embedded single-machine node runs; validated when built.
 *
 * @param dataDir where everything durable lives: Ratis log, ZooKeeper, bookie journals and ledgers
 * @param nbd     the NBD server's address
 * @param http    the REST API and web UI's address
 * @param bookies how many bookies to run (1, or 3+ for ensemble 3 / write quorum 3 / ack quorum 2)
 * @param durability {@code IMMEDIATE}: every acknowledged write is fsynced on the ack quorum;
 *                   {@code LAZY}: writes are fsynced at NBD FLUSH and FUA
 */
public record NodeConfig(Path dataDir, HostPort nbd, HostPort http, int bookies, Durability durability) {

    public static final int MAX_BOOKIES = 9;

    public NodeConfig {
        if (bookies < 1 || bookies > MAX_BOOKIES) {
            throw new IllegalArgumentException("--bookies must be between 1 and " + MAX_BOOKIES + "; got " + bookies);
        }
    }

    /** The defaults: {@code ./data}, NBD on 127.0.0.1:10809, HTTP on 127.0.0.1:8080, one bookie, immediate durability. */
    public static NodeConfig defaults() {
        return new NodeConfig(Path.of("data"), new HostPort("127.0.0.1", 10809), new HostPort("127.0.0.1", 8080), 1, Durability.IMMEDIATE);
    }
}
