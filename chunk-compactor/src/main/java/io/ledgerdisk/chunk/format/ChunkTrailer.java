package io.ledgerdisk.chunk.format;

/**
 * The fixed-size end of a chunk file that locates its index (see {@link ChunkFormat}).
 *
 * @param indexOffset file offset of the first index byte
 * @param indexLength index bytes
 * @param indexCrc CRC32C of the index bytes
 * @param frameCount frame entries in the index
 * @param runCount run entries in the index
 * @param dataBlocks blocks stored with data (zero runs not counted)
 */
public record ChunkTrailer(long indexOffset, int indexLength, int indexCrc, int frameCount, int runCount,
        long dataBlocks) {
}
