package io.ledgerdisk.chunk.manifest;

import io.ledgerdisk.chunk.store.ChunkId;
import java.util.Objects;

/**
 * A small pointer to a manifest stored as an object in a chunk store: what the metadata group
 * keeps per manifest version when the full manifest is too big to live in metadata (encoded
 * by {@link ManifestFormat#encodeHead}, about 70 bytes).
 *
 * @param volumeId the volume
 * @param version the manifest version
 * @param coveredSequence the manifest's covered log position (so restores can pick a version
 *     without loading it)
 * @param objectId where the encoded manifest is stored
 * @param length encoded manifest bytes
 * @param crc32c CRC32C of the encoded manifest (its last four bytes)
 */
public record ManifestHead(long volumeId, long version, long coveredSequence, ChunkId objectId, long length,
        int crc32c) {

    public ManifestHead {
        Objects.requireNonNull(objectId, "objectId");
    }
}
