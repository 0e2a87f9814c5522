package io.ledgerdisk.meta.state;

import io.ledgerdisk.meta.LedgerRef;
import io.ledgerdisk.meta.ManifestVersion;
import io.ledgerdisk.meta.MetaException;
import io.ledgerdisk.meta.VolumeInfo;
import io.ledgerdisk.meta.VolumeRecord;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The volumes of the cluster, by name and by id. Every change is checked here and is a pure
 * function of the current table and the command's arguments. Not thread-safe: the state
 * machine serialises access.
 */
public final class VolumeTable {

    private final TreeMap<String, VolumeInfo> byName = new TreeMap<>();
    private final Map<Long, String> nameById = new HashMap<>();
    private long nextVolumeId;

    /** An empty table whose first volume gets id 1. */
    public VolumeTable() {
        this(1, List.of());
    }

    /** A table restored from a snapshot. */
    public VolumeTable(long nextVolumeId, List<VolumeInfo> volumes) {
        this.nextVolumeId = nextVolumeId;
        for (VolumeInfo info : volumes) {
            VolumeRecord volume = info.volume();
            if (byName.put(volume.name(), info) != null || nameById.put(volume.id(), volume.name()) != null) {
                throw new IllegalArgumentException("duplicate volume " + volume.name() + " (id " + volume.id() + ") in snapshot");
            }
            if (volume.id() >= nextVolumeId) {
                throw new IllegalArgumentException("volume id " + volume.id() + " is not below nextVolumeId " + nextVolumeId);
            }
        }
    }

    /** Creates a volume without a pool. */
    public VolumeRecord create(String name, long sizeBytes, long createdMicros) {
        return create(name, sizeBytes, createdMicros, null, -1).volume();
    }

    /** Creates a volume with the next id, in a pool's PG (or without a pool: null and -1). */
    public VolumeInfo create(String name, long sizeBytes, long createdMicros, String pool, int pg) {
        VolumeRules.checkName(name);
        VolumeRules.checkSize(sizeBytes);
        if (byName.containsKey(name)) {
            throw new MetaException(MetaException.Code.ALREADY_EXISTS, "volume '" + name + "' already exists");
        }
        VolumeRecord volume = new VolumeRecord(nextVolumeId++, name, sizeBytes, createdMicros, List.of());
        VolumeInfo info = new VolumeInfo(volume, pool, pg, List.of());
        byName.put(name, info);
        nameById.put(volume.id(), name);
        return info;
    }

    /**
     * Takes the next volume id without creating a volume, so that a clone or restore can label
     * its first manifest with the id before {@link #createFrom} makes the volume. An id reserved
     * and never used is simply skipped.
     */
    public long reserveId() {
        return nextVolumeId++;
    }

    /**
     * Creates a volume under a reserved id whose first committed manifest is {@code first}
     * (a clone or a point-in-time restore), in one step: there is never a moment when the volume
     * exists without its data. A retry of the same creation returns the volume unchanged.
     */
    public VolumeInfo createFrom(String name, long volumeId, long sizeBytes, long createdMicros, String pool, int pg, String origin,
            ManifestVersion first) {
        VolumeRules.checkName(name);
        VolumeRules.checkSize(sizeBytes);
        if (first == null || first.version() != 1) {
            throw new MetaException(MetaException.Code.INVALID_ARGUMENT, "volume '" + name + "' must start from manifest version 1");
        }
        VolumeInfo existing = byName.get(name);
        if (existing != null) {
            if (existing.volume().id() == volumeId && existing.manifests().size() == 1 && existing.manifests().get(0).equals(first)) {
                return existing;
            }
            throw new MetaException(MetaException.Code.ALREADY_EXISTS, "volume '" + name + "' already exists");
        }
        if (volumeId <= 0 || volumeId >= nextVolumeId || nameById.containsKey(volumeId)) {
            throw new MetaException(MetaException.Code.INVALID_ARGUMENT, "volume id " + volumeId
                    + " was not reserved or is in use; reserve a new one");
        }
        VolumeRecord volume = new VolumeRecord(volumeId, name, sizeBytes, createdMicros, List.of());
        VolumeInfo info = new VolumeInfo(volume, pool, pg, List.of(first), List.of(), origin);
        byName.put(name, info);
        nameById.put(volumeId, name);
        return info;
    }

    /** Adds a snapshot pinning one of the volume's manifest versions ({@link VolumeHistory#createSnapshot}). */
    public VolumeInfo createSnapshot(String volume, String snapshot, long manifestVersion, long createdMicros) {
        VolumeInfo info = info(volume).orElseThrow(() -> notFound(volume));
        return put(VolumeHistory.createSnapshot(info, snapshot, manifestVersion, createdMicros));
    }

    /** Deletes a snapshot; its manifest version is no longer pinned. */
    public VolumeInfo deleteSnapshot(String volume, String snapshot) {
        VolumeInfo info = info(volume).orElseThrow(() -> notFound(volume));
        return put(VolumeHistory.deleteSnapshot(info, snapshot));
    }

    /** Drops manifest versions older than {@code keepFromMicros} that nothing needs ({@link VolumeHistory#trimManifests}). */
    public VolumeInfo trimManifests(long volumeId, long keepFromMicros) {
        return put(VolumeHistory.trimManifests(requireId(volumeId), keepFromMicros));
    }

    private VolumeInfo put(VolumeInfo info) {
        byName.put(info.volume().name(), info);
        return info;
    }

    /** Deletes a volume by name; refused while it has snapshots. */
    public VolumeRecord delete(String name) {
        VolumeInfo info = byName.get(name);
        if (info == null) {
            throw notFound(name);
        }
        VolumeHistory.checkDeletable(info);
        byName.remove(name);
        nameById.remove(info.volume().id());
        return info.volume();
    }

    /**
     * Removes {@code ledgerIds} from the front of a volume's ledger list. They must be its oldest
     * ledgers, in order, and never its newest one (the ledger being written). Ids no longer in
     * the list are ignored, so a retry changes nothing.
     */
    public VolumeRecord trimLedgers(long volumeId, List<Long> ledgerIds) {
        VolumeInfo info = requireId(volumeId);
        VolumeRecord volume = info.volume();
        List<LedgerRef> ledgers = volume.ledgers();
        List<Long> present = new ArrayList<>();
        for (Long id : ledgerIds == null ? List.<Long>of() : ledgerIds) {
            if (ledgers.stream().anyMatch(l -> l.ledgerId() == id)) {
                present.add(id);
            }
        }
        for (int i = 0; i < present.size(); i++) {
            if (i >= ledgers.size() - 1 || ledgers.get(i).ledgerId() != present.get(i)) {
                throw new MetaException(MetaException.Code.INVALID_ARGUMENT, "trim ledgers " + ledgerIds + " of volume '"
                        + volume.name() + "': only its oldest ledgers, in order, and never the newest can be trimmed; it has "
                        + ledgers.stream().map(LedgerRef::ledgerId).toList());
            }
        }
        if (present.isEmpty()) {
            return volume;
        }
        VolumeRecord updated = new VolumeRecord(volume.id(), volume.name(), volume.sizeBytes(), volume.createdMicros(),
                List.copyOf(ledgers.subList(present.size(), ledgers.size())));
        byName.put(updated.name(), info.withVolume(updated));
        return updated;
    }

    /**
     * Appends a ledger to a volume. Adding a ledger that is already there with the same
     * fields returns the volume unchanged (a retried command); the same id with other fields,
     * or a first sequence below the last ledger's, is refused.
     */
    public VolumeRecord addLedger(long volumeId, LedgerRef ledger) {
        if (ledger == null) {
            throw new MetaException(MetaException.Code.INVALID_ARGUMENT, "add ledger: no ledger given");
        }
        VolumeInfo info = requireId(volumeId);
        VolumeRecord volume = info.volume();
        if (ledger.ledgerId() < 0 || ledger.firstSequence() < 0) {
            throw new MetaException(MetaException.Code.INVALID_ARGUMENT,
                    "ledger " + ledger + ": ledger id and first sequence must not be negative");
        }
        for (LedgerRef existing : volume.ledgers()) {
            if (existing.ledgerId() == ledger.ledgerId()) {
                if (existing.equals(ledger)) {
                    return volume;
                }
                throw new MetaException(MetaException.Code.ALREADY_EXISTS, "volume '" + volume.name() + "' already has ledger "
                        + ledger.ledgerId() + " as " + existing + ", not " + ledger);
            }
        }
        List<LedgerRef> ledgers = volume.ledgers();
        if (!ledgers.isEmpty() && ledger.firstSequence() < ledgers.get(ledgers.size() - 1).firstSequence()) {
            throw new MetaException(MetaException.Code.INVALID_ARGUMENT, "ledger " + ledger.ledgerId() + " starts at sequence "
                    + ledger.firstSequence() + ", before the last ledger of volume '" + volume.name() + "' ("
                    + ledgers.get(ledgers.size() - 1) + ")");
        }
        List<LedgerRef> appended = new ArrayList<>(ledgers.size() + 1);
        appended.addAll(ledgers);
        appended.add(ledger);
        VolumeRecord updated = new VolumeRecord(volume.id(), volume.name(), volume.sizeBytes(), volume.createdMicros(), appended);
        byName.put(updated.name(), info.withVolume(updated));
        return updated;
    }

    /**
     * Commits the next manifest version of a volume: its version must be the head's + 1 and it
     * may not cover less of the log than the head. Committing the head again is a no-op (a retry).
     */
    public VolumeInfo commitManifest(long volumeId, ManifestVersion manifest) {
        if (manifest == null) {
            throw new MetaException(MetaException.Code.INVALID_ARGUMENT, "commit manifest: no manifest given");
        }
        VolumeInfo info = requireId(volumeId);
        String name = info.volume().name();
        ManifestVersion head = info.manifestHead().orElse(null);
        long headVersion = head == null ? 0 : head.version();
        if (head != null && manifest.version() <= headVersion) {
            ManifestVersion same = info.manifests().stream().filter(m -> m.version() == manifest.version()).findFirst().orElse(null);
            if (manifest.equals(same)) {
                return info;
            }
            throw new MetaException(MetaException.Code.ALREADY_EXISTS, "volume '" + name + "' already has manifest version "
                    + manifest.version() + " (head is " + headVersion + ")");
        }
        if (manifest.version() != headVersion + 1) {
            throw new MetaException(MetaException.Code.INVALID_ARGUMENT, "volume '" + name + "': manifest version "
                    + manifest.version() + " does not follow the head " + headVersion);
        }
        if (head != null && manifest.coveredSequence() < head.coveredSequence()) {
            throw new MetaException(MetaException.Code.INVALID_ARGUMENT, "volume '" + name + "': manifest " + manifest.version()
                    + " covers sequence " + manifest.coveredSequence() + ", less than the head's " + head.coveredSequence());
        }
        List<ManifestVersion> manifests = new ArrayList<>(info.manifests());
        manifests.add(manifest);
        VolumeInfo updated = info.withManifests(manifests);
        byName.put(name, updated);
        return updated;
    }

    /** A volume with its placement and manifests, by name. */
    public Optional<VolumeInfo> info(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    /** Every volume with its placement and manifests, ordered by name. */
    public List<VolumeInfo> infos() {
        return List.copyOf(byName.values());
    }

    private VolumeInfo requireId(long volumeId) {
        String name = nameById.get(volumeId);
        if (name == null) {
            throw new MetaException(MetaException.Code.NOT_FOUND, "volume id " + volumeId + " does not exist");
        }
        return byName.get(name);
    }

    /** The volume with this name, if any. */
    public Optional<VolumeRecord> byName(String name) {
        return info(name).map(VolumeInfo::volume);
    }

    /** The volume with this id, if any. */
    public Optional<VolumeRecord> byId(long id) {
        String name = nameById.get(id);
        return name == null ? Optional.empty() : Optional.of(byName.get(name).volume());
    }

    /** Every volume, ordered by name. */
    public List<VolumeRecord> list() {
        return byName.values().stream().map(VolumeInfo::volume).toList();
    }

    /** The id the next created volume gets. */
    public long nextVolumeId() {
        return nextVolumeId;
    }

    private static MetaException notFound(String name) {
        return new MetaException(MetaException.Code.NOT_FOUND, "volume '" + name + "' does not exist");
    }
}
