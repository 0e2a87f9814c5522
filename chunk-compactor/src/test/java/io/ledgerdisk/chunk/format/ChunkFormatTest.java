package io.ledgerdisk.chunk.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ledgerdisk.chunk.store.ChunkId;
import org.junit.jupiter.api.Test;

class ChunkFormatTest {
    private static final ChunkId ID = new ChunkId("c-test");

    @Test
    void headerRoundTrips() {
        ChunkHeader header = new ChunkHeader(7, 100, 250, 1_732_240_000_000_000L);
        byte[] bytes = ChunkFormat.encodeHeader(header);
        assertEquals(ChunkFormat.HEADER_LENGTH, bytes.length);
        assertEquals(header, ChunkFormat.decodeHeader(ID, bytes, 0));
    }

    @Test
    void headerWithFlippedBitIsRefused() {
        byte[] bytes = ChunkFormat.encodeHeader(new ChunkHeader(7, 100, 250, 1));
        bytes[20] ^= 1;
        ChunkCorruptionException e = assertThrows(ChunkCorruptionException.class,
                () -> ChunkFormat.decodeHeader(ID, bytes, 0));
        assertTrue(e.getMessage().contains("c-test"), e.getMessage());
    }

    @Test
    void trailerRoundTripsAndMustFitTheChunkLength() {
        ChunkTrailer trailer = new ChunkTrailer(64 + 1000, 48, 12345, 1, 1, 16);
        byte[] bytes = ChunkFormat.encodeTrailer(trailer);
        long chunkLength = 64 + 1000 + 48 + ChunkFormat.TRAILER_LENGTH;
        assertEquals(trailer, ChunkFormat.decodeTrailer(ID, chunkLength, bytes, 0));
        ChunkCorruptionException e = assertThrows(ChunkCorruptionException.class,
                () -> ChunkFormat.decodeTrailer(ID, chunkLength + 1, bytes, 0));
        assertEquals(chunkLength + 1 - ChunkFormat.TRAILER_LENGTH, e.fileOffset());
    }

    @Test
    void unknownVersionIsRefusedWithAClearMessage() {
        byte[] bytes = ChunkFormat.encodeHeader(new ChunkHeader(1, 0, 1, 1));
        bytes[ChunkFormat.HEADER_VERSION_OFFSET + 1] = 9;
        // Recompute the CRC so only the version is wrong.
        java.nio.ByteBuffer.wrap(bytes).putInt(ChunkFormat.HEADER_CRC_OFFSET,
                ChunkFormat.crc32c(bytes, 0, ChunkFormat.HEADER_CRC_OFFSET));
        ChunkCorruptionException e = assertThrows(ChunkCorruptionException.class,
                () -> ChunkFormat.decodeHeader(ID, bytes, 0));
        assertTrue(e.getMessage().contains("version 9"), e.getMessage());
    }
}
