package io.ledgerdisk.chunk.extent;

import io.ledgerdisk.chunk.store.ChunkId;

/**
 * A run of volume blocks that all read from the same place: one chunk, or zeros.
 *
 * <p>An extent names only the chunk, not an offset inside it: the chunk's own index resolves a
 * block address to its frame. That is what lets adjacent runs stored in the same chunk merge
 * into one extent however the chunk packed them into frames.
 *
 * @param firstBlock first volume block (block = byte offset / 4096)
 * @param blockCount number of blocks, at least 1
 * @param chunk the chunk that holds every block of the run, or {@code null} if the run reads
 *     as zeros (written zeros or trimmed)
 */
public record Extent(long firstBlock, long blockCount, ChunkId chunk) {

    public Extent {
        if (firstBlock < 0 || blockCount < 1) {
            throw new IllegalArgumentException("bad extent: first block " + firstBlock + ", " + blockCount + " blocks");
        }
    }

    /** One past the last block. */
    public long endBlock() {
        return firstBlock + blockCount;
    }

    /** Whether the run reads as zeros without touching any chunk. */
    public boolean isZero() {
        return chunk == null;
    }
}
