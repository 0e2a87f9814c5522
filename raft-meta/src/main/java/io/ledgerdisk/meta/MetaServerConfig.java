package io.ledgerdisk.meta;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Configuration of one metadata peer, validated when built.
 *
 * @param self              this peer; must be one of {@code peers}
 * @param peers             every member of the group, this peer included
 * @param storageDir        where the Raft log and the state-machine snapshots live
 * @param snapshotThreshold take a snapshot automatically after this many applied log entries
 */
public record MetaServerConfig(MetaPeer self, List<MetaPeer> peers, Path storageDir, long snapshotThreshold) {

    /** Snapshot every 10 000 entries unless told otherwise. */
    public static final long DEFAULT_SNAPSHOT_THRESHOLD = 10_000;

    /** Validates the peer list and copies it. */
    public MetaServerConfig {
        Objects.requireNonNull(self, "self");
        Objects.requireNonNull(storageDir, "storageDir");
        peers = List.copyOf(peers);
        if (!peers.contains(self)) {
            throw new IllegalArgumentException("metadata peer " + self.id() + " is not in the peer list " + peers);
        }
        Set<String> ids = new HashSet<>();
        for (MetaPeer peer : peers) {
            if (!ids.add(peer.id())) {
                throw new IllegalArgumentException("metadata peer id " + peer.id() + " appears twice in " + peers);
            }
        }
        if (snapshotThreshold < 1) {
            throw new IllegalArgumentException("snapshotThreshold must be positive, got " + snapshotThreshold);
        }
    }

    /** A configuration with the default snapshot threshold. */
    public MetaServerConfig(MetaPeer self, List<MetaPeer> peers, Path storageDir) {
        this(self, peers, storageDir, DEFAULT_SNAPSHOT_THRESHOLD);
    }

    /** A one-peer group, the embedded single-machine mode. */
    public static MetaServerConfig single(MetaPeer self, Path storageDir) {
        return new MetaServerConfig(self, List.of(self), storageDir);
    }
}
