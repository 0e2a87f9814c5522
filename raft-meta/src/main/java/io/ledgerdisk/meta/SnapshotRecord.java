package io.ledgerdisk.meta;

import java.util.Objects;

/**
 * A named, read-only point of a volume: it pins one committed manifest version, which is then
 * never trimmed from the volume's history while the snapshot exists (DESIGN.md, "Point-in-time
 * restore, snapshots, clones").
 *
 * @param name            the snapshot name, unique per volume, {@code [a-z0-9][a-z0-9._-]{0,62}}
 * @param volumeId        the volume it belongs to
 * @param manifestVersion the pinned manifest version (0: the empty manifest of a volume nothing was folded into)
 * @param coveredSequence the last log sequence the pinned manifest holds
 * @param createdMicros   when the snapshot was taken, microseconds since the epoch (UTC)
 */
public record SnapshotRecord(String name, long volumeId, long manifestVersion, long coveredSequence, long createdMicros) {

    public SnapshotRecord {
        Objects.requireNonNull(name, "name");
    }
}
