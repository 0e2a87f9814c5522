package io.ledgerdisk.meta.state;

import io.ledgerdisk.meta.NodeRecord;
import io.ledgerdisk.meta.PgRecord;
import io.ledgerdisk.meta.PoolRecord;
import io.ledgerdisk.meta.VolumeInfo;
import java.util.List;

/**
 * An immutable copy of the metadata state, as written to a snapshot file by {@link SnapshotFormat}.
 * Absent lists (from an older writer) read as empty.
 *
 * @param nextVolumeId the id the next created volume gets
 * @param volumes      every volume with its placement and manifests, ordered by name
 * @param nodes        every node, ordered by id
 * @param pools        every pool, ordered by name
 * @param pgs          every PG, ordered by pool then PG number
 */
public record StateSnapshot(long nextVolumeId, List<VolumeInfo> volumes, List<NodeRecord> nodes, List<PoolRecord> pools,
                            List<PgRecord> pgs) {

    /** Copies the lists. */
    public StateSnapshot {
        volumes = volumes == null ? List.of() : List.copyOf(volumes);
        nodes = nodes == null ? List.of() : List.copyOf(nodes);
        pools = pools == null ? List.of() : List.copyOf(pools);
        pgs = pgs == null ? List.of() : List.copyOf(pgs);
    }
}
