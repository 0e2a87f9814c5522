package io.ledgerdisk.chunk.manifest;

import io.ledgerdisk.chunk.extent.ExtentMap;
import io.ledgerdisk.chunk.store.ChunkId;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One version of a volume's folded state: which chunks hold its blocks (the extent map), the
 * log position up to which the chunks include every record, and when it was made.
 *
 * <p>Reading a block: memtable records after {@link #coveredSequence()} first, then
 * {@link #extents()}, then zeros. Manifests are immutable (the extent map is frozen) and are
 * committed through the metadata group; a new fold or merge makes version + 1.
 *
 * <p>Invariant, checked on construction: every chunk an extent reads from is listed in
 * {@link #chunks()}.
 */
public final class Manifest {
    private final long volumeId;
    private final long version;
    private final Map<ChunkId, ChunkDescriptor> chunks;
    private final ExtentMap extents;
    private final long coveredSequence;
    private final long createdMicros;

    /**
     * @param volumeId the volume
     * @param version 0 for the empty manifest of a new volume, then +1 per fold or merge
     * @param chunks the chunks the extent map reaches
     * @param extents block ranges → chunk; frozen by this constructor
     * @param coveredSequence every log record with a sequence ≤ this is in the chunks
     * @param createdMicros when the manifest was made, microseconds since the epoch (UTC)
     */
    public Manifest(long volumeId, long version, List<ChunkDescriptor> chunks, ExtentMap extents,
            long coveredSequence, long createdMicros) {
        if (version < 0 || coveredSequence < 0) {
            throw new IllegalArgumentException("version and covered sequence must not be negative: version "
                    + version + ", covered sequence " + coveredSequence);
        }
        this.volumeId = volumeId;
        this.version = version;
        this.extents = Objects.requireNonNull(extents, "extents").freeze();
        this.coveredSequence = coveredSequence;
        this.createdMicros = createdMicros;
        Map<ChunkId, ChunkDescriptor> byId = new LinkedHashMap<>();
        for (ChunkDescriptor c : chunks) {
            if (byId.put(c.id(), c) != null) {
                throw new IllegalArgumentException("manifest " + volumeId + "/" + version + " lists chunk " + c.id() + " twice");
            }
        }
        this.chunks = java.util.Collections.unmodifiableMap(byId);
        for (ChunkId id : extents.referencedChunks()) {
            if (!byId.containsKey(id)) {
                throw new IllegalArgumentException("manifest " + volumeId + "/" + version + ": the extent map reads from chunk "
                        + id + " which the chunk list does not name");
            }
        }
    }

    /** The manifest of a volume with nothing folded yet: version 0, no chunks. */
    public static Manifest empty(long volumeId, long createdMicros) {
        return new Manifest(volumeId, 0, List.of(), new ExtentMap(), 0, createdMicros);
    }

    public long volumeId() {
        return volumeId;
    }

    public long version() {
        return version;
    }

    /** The chunks the extent map reaches, in the order they were added. */
    public List<ChunkDescriptor> chunks() {
        return List.copyOf(chunks.values());
    }

    /** The descriptor of {@code id}, or null if this manifest does not reach it. */
    public ChunkDescriptor chunk(ChunkId id) {
        return chunks.get(id);
    }

    /** The extent map; frozen (read-only): change a {@link ExtentMap#copy()}. */
    public ExtentMap extents() {
        return extents;
    }

    public long coveredSequence() {
        return coveredSequence;
    }

    public long createdMicros() {
        return createdMicros;
    }

    /** File bytes of all chunks this manifest reaches. */
    public long storedBytes() {
        return chunks.values().stream().mapToLong(ChunkDescriptor::length).sum();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Manifest m && volumeId == m.volumeId && version == m.version
                && coveredSequence == m.coveredSequence && createdMicros == m.createdMicros
                && chunks().equals(m.chunks()) && extents.equals(m.extents);
    }

    @Override
    public int hashCode() {
        return Objects.hash(volumeId, version, coveredSequence, createdMicros);
    }

    @Override
    public String toString() {
        return "Manifest{volume " + volumeId + ", version " + version + ", covered " + coveredSequence + ", "
                + chunks.size() + " chunks, " + extents.size() + " extents}";
    }
}
