package io.ledgerdisk.chunk.compaction;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ChunkFileBufferTest {

    @Test
    void holdsWhatWasWrittenGrowingPastItsCapacityAndStartsOverOnReset() {
        ChunkFileBuffer buffer = new ChunkFileBuffer(16);
        byte[] data = new byte[100];
        new Random(7).nextBytes(data);
        buffer.write(data[0]);
        buffer.write(data, 1, 99);
        ByteBuffer written = buffer.written();
        assertTrue(written.isDirect());
        assertEquals(100, written.remaining());
        byte[] back = new byte[100];
        written.get(back);
        assertArrayEquals(data, back);

        buffer.reset();
        buffer.write(data, 50, 3);
        ByteBuffer again = buffer.written();
        assertEquals(3, again.remaining());
        assertEquals(data[52], again.get(2));
    }
}
