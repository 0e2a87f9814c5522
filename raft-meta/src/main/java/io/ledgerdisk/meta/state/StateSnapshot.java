package io.ledgerdisk.meta.state;

import io.ledgerdisk.meta.VolumeRecord;
import java.util.List;

/**
 * An immutable copy of the metadata state, as written to a snapshot file by {@link SnapshotFormat}.
 *
 * @param nextVolumeId the id the next created volume gets
 * @param volumes      every volume, ordered by name
 */
public record StateSnapshot(long nextVolumeId, List<VolumeRecord> volumes) {

    /** Copies the lists. */
    public StateSnapshot {
        volumes = List.copyOf(volumes);
    }
}
