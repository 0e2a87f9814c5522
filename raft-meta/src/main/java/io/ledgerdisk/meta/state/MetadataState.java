package io.ledgerdisk.meta.state;

import io.ledgerdisk.meta.MetaException;
import io.ledgerdisk.meta.command.MetaCommand;
import io.ledgerdisk.meta.command.MetaQuery;
import io.ledgerdisk.meta.command.MetaReply;

/**
 * The whole cluster metadata and the deterministic rules that change it. {@link #apply}
 * turns a refused command into an error reply instead of throwing, so a refusal is an
 * ordinary, replicated outcome. Not thread-safe: the state machine holds a lock around it.
 */
public final class MetadataState {

    private final VolumeTable volumes;

    /** An empty cluster. */
    public MetadataState() {
        this(new VolumeTable());
    }

    private MetadataState(VolumeTable volumes) {
        this.volumes = volumes;
    }

    /** Rebuilds the state from a snapshot. */
    public static MetadataState restore(StateSnapshot snapshot) {
        return new MetadataState(new VolumeTable(snapshot.nextVolumeId(), snapshot.volumes()));
    }

    /** A consistent copy of the state for a snapshot file. */
    public StateSnapshot snapshot() {
        return new StateSnapshot(volumes.nextVolumeId(), volumes.list());
    }

    /** Applies a command; a refusal becomes an error reply and leaves the state unchanged. */
    public MetaReply apply(MetaCommand command) {
        try {
            if (command instanceof MetaCommand.CreateVolume c) {
                return MetaReply.of(volumes.create(c.name(), c.sizeBytes(), c.createdMicros()));
            } else if (command instanceof MetaCommand.DeleteVolume c) {
                return MetaReply.of(volumes.delete(c.name()));
            } else if (command instanceof MetaCommand.AddLedger c) {
                return MetaReply.of(volumes.addLedger(c.volumeId(), c.ledger()));
            }
            throw new MetaException(MetaException.Code.INVALID_ARGUMENT, "unknown command " + command);
        } catch (MetaException e) {
            return MetaReply.failure(e);
        }
    }

    /** Answers a query without changing anything. */
    public MetaReply query(MetaQuery query) {
        if (query instanceof MetaQuery.ListVolumes) {
            return MetaReply.of(volumes.list());
        } else if (query instanceof MetaQuery.GetVolume q) {
            return volumes.byName(q.name()).map(MetaReply::of).orElse(MetaReply.ok());
        }
        return MetaReply.failure(new MetaException(MetaException.Code.INVALID_ARGUMENT, "unknown query " + query));
    }

    /** The volume table (read access for tests and queries). */
    public VolumeTable volumes() {
        return volumes;
    }
}
