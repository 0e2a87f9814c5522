package io.ledgerdisk.chunk.store;

/**
 * One object as a {@link ChunkStore} lists it.
 *
 * @param id the object's name
 * @param length bytes
 * @param modifiedMillis when it was written, milliseconds since the epoch; garbage collection
 *     leaves recent objects alone because a fold may be about to commit them
 */
public record StoredChunk(ChunkId id, long length, long modifiedMillis) {
}
