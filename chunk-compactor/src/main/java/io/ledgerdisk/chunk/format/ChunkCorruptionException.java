package io.ledgerdisk.chunk.format;

import io.ledgerdisk.chunk.store.ChunkId;

/**
 * A chunk file whose bytes are not what its checksums or structure say they must be.
 *
 * <p>The message names the chunk and the file offset of the bad bytes so an operator can
 * inspect the object (for example {@code dd bs=1 skip=OFFSET} on a local chunk, or a ranged
 * GET on S3) and restore it from the log or a replica; bad data is never returned silently.
 */
public final class ChunkCorruptionException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient ChunkId chunkId;
    private final long fileOffset;

    public ChunkCorruptionException(ChunkId chunkId, long fileOffset, String problem) {
        super("chunk " + chunkId + " is corrupt at file offset " + fileOffset + ": " + problem);
        this.chunkId = chunkId;
        this.fileOffset = fileOffset;
    }

    /** The chunk with the bad bytes. */
    public ChunkId chunkId() {
        return chunkId;
    }

    /** File offset of the first bad structure (a frame, the index, the trailer or the header). */
    public long fileOffset() {
        return fileOffset;
    }
}
