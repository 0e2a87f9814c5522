package io.ledgerdisk.appliance.node;

import io.ledgerdisk.journal.Durability;
import io.ledgerdisk.appliance.volume.CompactionPolicy;
import io.ledgerdisk.chunk.store.ChunkStoreConfig;
import java.nio.file.Path;
import java.util.Map;

/**
 * How an embedded single-machine node runs; validated when built.
 *
 * @param dataDir where everything durable lives: Ratis log, ZooKeeper, bookie journals and ledgers
 * @param nbd     the NBD server's address
 * @param http    the REST API and web UI's address
 * @param bookies how many bookies to run (1, or 3+ for ensemble 3 / write quorum 3 / ack quorum 2)
 * @param durability {@code IMMEDIATE}: every acknowledged write is fsynced on the ack quorum;
 *                   {@code LAZY}: writes are fsynced at NBD FLUSH and FUA
 * @param settings   the {@code --config} file's settings: {@code chunks.*} (the chunk store, see
 *                   {@link ChunkStoreConfig#fromProperties}) and {@code compaction.*}
 *                   ({@link CompactionPolicy#fromProperties}); validated here
 */
public record NodeConfig(Path dataDir, HostPort nbd, HostPort http, int bookies, Durability durability, Map<String, String> settings) {

    public static final int MAX_BOOKIES = 9;

    public NodeConfig {
        if (bookies < 1 || bookies > MAX_BOOKIES) {
            throw new IllegalArgumentException("--bookies must be between 1 and " + MAX_BOOKIES + "; got " + bookies);
        }
        settings = Map.copyOf(settings);
        for (String key : settings.keySet()) {
            if (!key.startsWith("chunks.") && !key.startsWith("compaction.")) {
                throw new IllegalArgumentException("unknown setting " + key + " (settings start with chunks. or compaction.)");
            }
        }
        ChunkStoreConfig.fromProperties(settings, dataDir);
        CompactionPolicy.fromProperties(settings);
    }

    /** Where chunks live: {@code DATA/chunks} unless {@code chunks.*} settings say otherwise. */
    public ChunkStoreConfig chunkStore() {
        return ChunkStoreConfig.fromProperties(settings, dataDir.toAbsolutePath());
    }

    /** When volumes are folded into chunks. */
    public CompactionPolicy compaction() {
        return CompactionPolicy.fromProperties(settings);
    }

    /** A copy with other settings. */
    public NodeConfig withSettings(Map<String, String> newSettings) {
        return new NodeConfig(dataDir, nbd, http, bookies, durability, newSettings);
    }

    /** The defaults: {@code ./data}, NBD on 127.0.0.1:10809, HTTP on 127.0.0.1:8080, one bookie, immediate durability. */
    public static NodeConfig defaults() {
        return new NodeConfig(Path.of("data"), new HostPort("127.0.0.1", 10809), new HostPort("127.0.0.1", 8080), 1, Durability.IMMEDIATE, Map.of());
    }
}
