package io.ledgerdisk.meta.command;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.ledgerdisk.meta.LedgerRef;
import io.ledgerdisk.meta.ManifestVersion;
import io.ledgerdisk.meta.PoolRecord;
import java.util.List;
import java.util.Map;

/**
 * A change to the cluster metadata, as written to the Raft log.
 *
 * <p>Commands carry every input the state machine needs (timestamps included), so that
 * applying the same log on every peer gives the same state. {@link CommandCodec} owns their
 * encoding; the JSON type names below are part of the log format and never change.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
    @JsonSubTypes.Type(value = MetaCommand.CreateVolume.class, name = "create_volume"),
    @JsonSubTypes.Type(value = MetaCommand.DeleteVolume.class, name = "delete_volume"),
    @JsonSubTypes.Type(value = MetaCommand.AddLedger.class, name = "add_ledger"),
    @JsonSubTypes.Type(value = MetaCommand.TrimLedgers.class, name = "trim_ledgers"),
    @JsonSubTypes.Type(value = MetaCommand.CommitManifest.class, name = "commit_manifest"),
    @JsonSubTypes.Type(value = MetaCommand.RegisterNode.class, name = "register_node"),
    @JsonSubTypes.Type(value = MetaCommand.NodeHeartbeat.class, name = "node_heartbeat"),
    @JsonSubTypes.Type(value = MetaCommand.MarkNodesDown.class, name = "mark_nodes_down"),
    @JsonSubTypes.Type(value = MetaCommand.SetNodeWeight.class, name = "set_node_weight"),
    @JsonSubTypes.Type(value = MetaCommand.RemoveNode.class, name = "remove_node"),
    @JsonSubTypes.Type(value = MetaCommand.CreatePool.class, name = "create_pool"),
    @JsonSubTypes.Type(value = MetaCommand.RebalancePool.class, name = "rebalance_pool"),
    @JsonSubTypes.Type(value = MetaCommand.DeletePool.class, name = "delete_pool"),
    @JsonSubTypes.Type(value = MetaCommand.CreateSnapshot.class, name = "create_snapshot"),
    @JsonSubTypes.Type(value = MetaCommand.DeleteSnapshot.class, name = "delete_snapshot"),
    @JsonSubTypes.Type(value = MetaCommand.ReserveVolumeId.class, name = "reserve_volume_id"),
    @JsonSubTypes.Type(value = MetaCommand.CreateVolumeFrom.class, name = "create_volume_from"),
    @JsonSubTypes.Type(value = MetaCommand.TrimManifests.class, name = "trim_manifests"),
})
public sealed interface MetaCommand {

    /** Create a volume, in a pool if {@code pool} is not null; the state machine assigns its id and PG. */
    record CreateVolume(String name, long sizeBytes, long createdMicros, String pool) implements MetaCommand {
        /** A volume without a pool. */
        public CreateVolume(String name, long sizeBytes, long createdMicros) {
            this(name, sizeBytes, createdMicros, null);
        }
    }

    /** Delete a volume by name. */
    record DeleteVolume(String name) implements MetaCommand {
    }

    /** Append a ledger to a volume's log; a retry with the same ledger is a no-op. */
    record AddLedger(long volumeId, LedgerRef ledger) implements MetaCommand {
    }

    /** Forget the oldest ledgers of a volume's log (folded and out of retention); a retry is a no-op. */
    record TrimLedgers(long volumeId, List<Long> ledgerIds) implements MetaCommand {
    }

    /** Commit the next manifest version of a volume; a retry of the head is a no-op. */
    record CommitManifest(long volumeId, ManifestVersion manifest) implements MetaCommand {
    }

    /** Add a node or update its addresses, failure-domain tags and weight. */
    record RegisterNode(String id, List<String> addresses, Map<String, String> failureDomains, double weight,
                        long micros) implements MetaCommand {
    }

    /** A node is alive at {@code micros}. */
    record NodeHeartbeat(String id, long micros) implements MetaCommand {
    }

    /** Sent by the leader periodically: nodes silent for longer than the timeout go down and their PGs fail over. */
    record MarkNodesDown(long nowMicros, long timeoutMicros) implements MetaCommand {
    }

    /** Change a node's placement weight (takes effect at the next rebalance). */
    record SetNodeWeight(String id, double weight) implements MetaCommand {
    }

    /** Forget a node; PGs it was primary for fail over. */
    record RemoveNode(String id) implements MetaCommand {
    }

    /** Create a pool. */
    record CreatePool(PoolRecord pool) implements MetaCommand {
    }

    /** Place a pool's PGs on the current alive, weighted nodes. */
    record RebalancePool(String pool) implements MetaCommand {
    }

    /** Delete a pool and its PG map; refused while a volume is in the pool. */
    record DeletePool(String pool) implements MetaCommand {
    }

    /** Take snapshot {@code name} of a volume, pinning its committed manifest {@code manifestVersion} (0: empty). */
    record CreateSnapshot(String volume, String name, long manifestVersion, long createdMicros) implements MetaCommand {
    }

    /** Delete a volume's snapshot; its manifest version is no longer pinned. */
    record DeleteSnapshot(String volume, String name) implements MetaCommand {
    }

    /** Take the next volume id for a volume that {@link CreateVolumeFrom} will create. */
    record ReserveVolumeId() implements MetaCommand {
    }

    /**
     * Create a clone or a restored volume under a reserved id, with its first manifest already
     * committed; {@code origin} is {@code VOL@SNAP} or {@code VOL@seq:N}; {@code pool} may be null.
     */
    record CreateVolumeFrom(String name, long volumeId, long sizeBytes, long createdMicros, String pool, String origin,
                            ManifestVersion manifest) implements MetaCommand {
    }

    /** Drop a volume's manifest versions older than {@code keepFromMicros} that no snapshot pins and no restore needs. */
    record TrimManifests(long volumeId, long keepFromMicros) implements MetaCommand {
    }
}
