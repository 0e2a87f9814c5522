package io.ledgerdisk.meta.state;

import io.ledgerdisk.meta.LedgerRef;
import io.ledgerdisk.meta.MetaException;
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

    private final TreeMap<String, VolumeRecord> byName = new TreeMap<>();
    private final Map<Long, String> nameById = new HashMap<>();
    private long nextVolumeId;

    /** An empty table whose first volume gets id 1. */
    public VolumeTable() {
        this(1, List.of());
    }

    /** A table restored from a snapshot. */
    public VolumeTable(long nextVolumeId, List<VolumeRecord> volumes) {
        this.nextVolumeId = nextVolumeId;
        for (VolumeRecord volume : volumes) {
            if (byName.put(volume.name(), volume) != null || nameById.put(volume.id(), volume.name()) != null) {
                throw new IllegalArgumentException("duplicate volume " + volume.name() + " (id " + volume.id() + ") in snapshot");
            }
            if (volume.id() >= nextVolumeId) {
                throw new IllegalArgumentException("volume id " + volume.id() + " is not below nextVolumeId " + nextVolumeId);
            }
        }
    }

    /** Creates a volume with the next id. */
    public VolumeRecord create(String name, long sizeBytes, long createdMicros) {
        VolumeRules.checkName(name);
        VolumeRules.checkSize(sizeBytes);
        if (byName.containsKey(name)) {
            throw new MetaException(MetaException.Code.ALREADY_EXISTS, "volume '" + name + "' already exists");
        }
        VolumeRecord volume = new VolumeRecord(nextVolumeId++, name, sizeBytes, createdMicros, List.of());
        byName.put(name, volume);
        nameById.put(volume.id(), name);
        return volume;
    }

    /** Deletes a volume by name. */
    public VolumeRecord delete(String name) {
        VolumeRecord volume = byName.remove(name);
        if (volume == null) {
            throw notFound(name);
        }
        nameById.remove(volume.id());
        return volume;
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
        VolumeRecord volume = byId(volumeId).orElseThrow(() -> new MetaException(MetaException.Code.NOT_FOUND,
                "volume id " + volumeId + " does not exist"));
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
        byName.put(updated.name(), updated);
        return updated;
    }

    /** The volume with this name, if any. */
    public Optional<VolumeRecord> byName(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    /** The volume with this id, if any. */
    public Optional<VolumeRecord> byId(long id) {
        String name = nameById.get(id);
        return name == null ? Optional.empty() : Optional.of(byName.get(name));
    }

    /** Every volume, ordered by name. */
    public List<VolumeRecord> list() {
        return List.copyOf(byName.values());
    }

    /** The id the next created volume gets. */
    public long nextVolumeId() {
        return nextVolumeId;
    }

    private static MetaException notFound(String name) {
        return new MetaException(MetaException.Code.NOT_FOUND, "volume '" + name + "' does not exist");
    }
}
