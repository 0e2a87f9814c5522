package io.ledgerdisk.chunk.format;

import io.ledgerdisk.chunk.store.ChunkId;

/**
 * A chunk file as {@link ChunkWriter} finished it: enough to register it in a manifest and to
 * read it without fetching its index again.
 *
 * @param id the chunk's name in the store
 * @param header the chunk's header
 * @param index the chunk's index
 * @param length file length in bytes
 */
public record WrittenChunk(ChunkId id, ChunkHeader header, ChunkIndex index, long length) {
}
