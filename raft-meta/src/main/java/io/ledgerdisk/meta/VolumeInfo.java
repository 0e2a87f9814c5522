package io.ledgerdisk.meta;

import com.fasterxml.jackson.annotation.JsonCreator;
import java.util.List;
import java.util.Optional;

/**
 * A volume with its placement, manifest history, snapshots and origin.
 *
 * @param volume    the volume
 * @param pool      its pool, or null if created without one
 * @param pg        its PG in the pool (a stable hash of the name), or -1 without a pool
 * @param manifests committed manifest versions, oldest first
 * @param snapshots the volume's snapshots, ordered by name (absent in older snapshot files: empty)
 * @param origin    what the volume was made from: {@code VOL@SNAP} for a clone, {@code VOL@seq:N}
 *                  for a point-in-time restore; null for a volume created empty
 */
public record VolumeInfo(VolumeRecord volume, String pool, int pg, List<ManifestVersion> manifests,
                         List<SnapshotRecord> snapshots, String origin) {

    /** Copies the lists. */
    @JsonCreator
    public VolumeInfo {
        manifests = List.copyOf(manifests);
        snapshots = snapshots == null ? List.of() : List.copyOf(snapshots);
    }

    /** A volume created empty, without snapshots. */
    public VolumeInfo(VolumeRecord volume, String pool, int pg, List<ManifestVersion> manifests) {
        this(volume, pool, pg, manifests, List.of(), null);
    }

    /** The newest manifest, if any was committed. */
    public Optional<ManifestVersion> manifestHead() {
        return manifests.isEmpty() ? Optional.empty() : Optional.of(manifests.get(manifests.size() - 1));
    }

    /** The committed manifest with this version number, if it is still in the history. */
    public Optional<ManifestVersion> manifest(long version) {
        return manifests.stream().filter(m -> m.version() == version).findFirst();
    }

    /** The snapshot with this name, if any. */
    public Optional<SnapshotRecord> snapshot(String name) {
        return snapshots.stream().filter(s -> s.name().equals(name)).findFirst();
    }

    /** This info with another volume record (e.g. one more ledger). */
    public VolumeInfo withVolume(VolumeRecord updated) {
        return new VolumeInfo(updated, pool, pg, manifests, snapshots, origin);
    }

    /** This info with another manifest history. */
    public VolumeInfo withManifests(List<ManifestVersion> updated) {
        return new VolumeInfo(volume, pool, pg, updated, snapshots, origin);
    }

    /** This info with other snapshots. */
    public VolumeInfo withSnapshots(List<SnapshotRecord> updated) {
        return new VolumeInfo(volume, pool, pg, manifests, updated, origin);
    }
}
