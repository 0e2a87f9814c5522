package io.ledgerdisk.chunk.manifest;

import io.ledgerdisk.chunk.store.ChunkId;
import java.util.Objects;

/**
 * What a manifest records about one chunk it reaches: enough to account for space and to plan
 * merges without opening the chunk.
 *
 * @param id the chunk's name in the store
 * @param length file bytes
 * @param dataBlocks blocks stored with data (live or overwritten since)
 * @param fromSequence the chunk covers the log after this sequence (exclusive)
 * @param toSequence ... up to this sequence (inclusive)
 */
public record ChunkDescriptor(ChunkId id, long length, long dataBlocks, long fromSequence, long toSequence) {

    public ChunkDescriptor {
        Objects.requireNonNull(id, "id");
        if (length < 0 || dataBlocks < 0 || toSequence < fromSequence) {
            throw new IllegalArgumentException("bad chunk descriptor for " + id + ": length " + length
                    + ", data blocks " + dataBlocks + ", log range (" + fromSequence + ", " + toSequence + "]");
        }
    }
}
