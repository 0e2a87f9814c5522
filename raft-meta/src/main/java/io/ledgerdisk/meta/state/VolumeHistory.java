package io.ledgerdisk.meta.state;

import io.ledgerdisk.meta.ManifestVersion;
import io.ledgerdisk.meta.MetaException;
import io.ledgerdisk.meta.SnapshotRecord;
import io.ledgerdisk.meta.VolumeInfo;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The rules for a volume's snapshots and manifest history: pure functions from a
 * {@link VolumeInfo} and a command's arguments to the next {@link VolumeInfo}, so every peer
 * computes the same result. A snapshot pins its manifest version: trimming never drops it.
 */
final class VolumeHistory {

    private VolumeHistory() {
    }

    /**
     * Adds snapshot {@code name} pinning {@code manifestVersion} (0: the empty manifest of a volume
     * nothing was folded into). The same snapshot again is a no-op (a retry); the same name with
     * other fields is refused.
     */
    static VolumeInfo createSnapshot(VolumeInfo info, String name, long manifestVersion, long createdMicros) {
        String volume = info.volume().name();
        VolumeRules.checkName("snapshot name", name);
        long covered;
        if (manifestVersion == 0) {
            covered = 0;
        } else {
            ManifestVersion pinned = info.manifest(manifestVersion).orElseThrow(() -> new MetaException(
                    MetaException.Code.NOT_FOUND, "volume '" + volume + "' has no manifest version " + manifestVersion
                    + " in its history; take the snapshot again"));
            covered = pinned.coveredSequence();
        }
        SnapshotRecord snapshot = new SnapshotRecord(name, info.volume().id(), manifestVersion, covered, createdMicros);
        SnapshotRecord existing = info.snapshot(name).orElse(null);
        if (existing != null) {
            if (existing.equals(snapshot)) {
                return info;
            }
            throw new MetaException(MetaException.Code.ALREADY_EXISTS, "volume '" + volume + "' already has a snapshot '"
                    + name + "' (manifest v" + existing.manifestVersion() + "); delete it first or choose another name");
        }
        List<SnapshotRecord> snapshots = new ArrayList<>(info.snapshots());
        snapshots.add(snapshot);
        snapshots.sort(Comparator.comparing(SnapshotRecord::name));
        return info.withSnapshots(snapshots);
    }

    /** Removes snapshot {@code name}; its manifest version may then be trimmed and its chunks collected. */
    static VolumeInfo deleteSnapshot(VolumeInfo info, String name) {
        if (info.snapshot(name).isEmpty()) {
            throw new MetaException(MetaException.Code.NOT_FOUND, "volume '" + info.volume().name() + "' has no snapshot '"
                    + name + "'");
        }
        return info.withSnapshots(info.snapshots().stream().filter(s -> !s.name().equals(name)).toList());
    }

    /**
     * Drops manifest versions committed before {@code keepFromMicros} except the ones still
     * needed: the head, every version a snapshot pins, and the newest version committed before
     * the cutoff (the base from which any moment after the cutoff can be rebuilt with the log).
     */
    static VolumeInfo trimManifests(VolumeInfo info, long keepFromMicros) {
        List<ManifestVersion> manifests = info.manifests();
        if (manifests.size() <= 1) {
            return info;
        }
        Set<Long> keep = new HashSet<>();
        info.snapshots().forEach(s -> keep.add(s.manifestVersion()));
        keep.add(manifests.get(manifests.size() - 1).version());
        manifests.stream().filter(m -> m.createdMicros() < keepFromMicros).reduce((a, b) -> b)
                .ifPresent(base -> keep.add(base.version()));
        List<ManifestVersion> kept = manifests.stream()
                .filter(m -> m.createdMicros() >= keepFromMicros || keep.contains(m.version()))
                .toList();
        return kept.size() == manifests.size() ? info : info.withManifests(kept);
    }

    /** A volume with snapshots keeps its pinned manifests only while it exists: delete the snapshots first. */
    static void checkDeletable(VolumeInfo info) {
        if (!info.snapshots().isEmpty()) {
            List<String> names = info.snapshots().stream().map(SnapshotRecord::name).toList();
            throw new MetaException(MetaException.Code.CONFLICT, "volume '" + info.volume().name() + "' still has "
                    + names.size() + " snapshot(s) (" + String.join(", ", names) + "); delete them first"
                    + " (clones of them are independent volumes and stay)");
        }
    }
}
