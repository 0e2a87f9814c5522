package io.ledgerdisk.chunk.format;

/**
 * What a chunk file says about itself in its header (see {@link ChunkFormat}).
 *
 * @param volumeId the volume whose blocks the chunk holds
 * @param fromSequence the covered log range starts after this sequence (exclusive)
 * @param toSequence the covered log range ends at this sequence (inclusive)
 * @param createdMicros when the chunk was written, microseconds since the epoch (UTC)
 */
public record ChunkHeader(long volumeId, long fromSequence, long toSequence, long createdMicros) {

    public ChunkHeader {
        if (fromSequence < 0 || toSequence < fromSequence) {
            throw new IllegalArgumentException("covered log range (" + fromSequence + ", " + toSequence + "] is invalid");
        }
    }
}
