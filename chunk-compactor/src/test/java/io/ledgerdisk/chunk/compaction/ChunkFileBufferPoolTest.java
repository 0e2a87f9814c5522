package io.ledgerdisk.chunk.compaction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class ChunkFileBufferPoolTest {

    @Test
    void aBufferGivenBackIsTakenAgainEmpty() {
        ChunkFileBufferPool pool = new ChunkFileBufferPool(64, 2);
        ChunkFileBuffer first = pool.take();
        first.write(new byte[40], 0, 40);
        pool.give(first);
        assertEquals(1, pool.idle());

        ChunkFileBuffer again = pool.take();
        assertSame(first, again);
        assertEquals(0, again.written().remaining(), "a reused buffer starts empty");
        assertEquals(0, pool.idle());
        assertNotSame(again, pool.take(), "with none idle, take makes a new buffer");
    }

    @Test
    void keepsNoMoreIdleBuffersThanItRetains() {
        ChunkFileBufferPool pool = new ChunkFileBufferPool(64, 2);
        ChunkFileBuffer a = pool.take();
        ChunkFileBuffer b = pool.take();
        ChunkFileBuffer c = pool.take();
        pool.give(a);
        pool.give(b);
        pool.give(c);
        assertEquals(2, pool.idle());
        assertSame(a, pool.take());
        assertSame(b, pool.take());
        assertEquals(0, pool.idle());
    }

    @Test
    void rejectsAPoolOfEmptyBuffers() {
        assertThrows(IllegalArgumentException.class, () -> new ChunkFileBufferPool(0, 1));
    }
}
