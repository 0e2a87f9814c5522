package io.ledgerdisk.chunk.format;

import io.ledgerdisk.chunk.store.ChunkId;
import java.util.List;

/**
 * What a scrub of one chunk found.
 *
 * @param chunkId the chunk scrubbed
 * @param framesChecked frames whose CRC32C and decompression were checked
 * @param problems every bad frame (and a bad header, index or trailer), in file order; empty
 *     when the chunk is sound
 */
public record ChunkVerification(ChunkId chunkId, int framesChecked, List<ChunkCorruptionException> problems) {

    public ChunkVerification {
        problems = List.copyOf(problems);
    }

    /** Whether no problem was found. */
    public boolean ok() {
        return problems.isEmpty();
    }
}
