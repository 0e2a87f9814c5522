package io.ledgerdisk.nbd.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class LargeBufferPoolTest {

    @Test
    void aReleasedBufferIsReusedForTheSameSizeClass() {
        LargeBufferPool pool = new LargeBufferPool();
        ByteBuf first = pool.take(4 << 20);
        long address = first.memoryAddress();
        first.writeLong(0x1122334455667788L);
        first.release();

        ByteBuf second = pool.take(3 << 20);
        assertEquals(address, second.memoryAddress(), "a 3 MiB request reuses the released 4 MiB class buffer");
        assertEquals(3 << 20, second.capacity());
        assertEquals(0, second.readableBytes(), "a reused buffer starts empty");
        second.release();
    }

    @Test
    void aTakenBufferHoldsExactlyItsLengthAndCannotGrow() {
        LargeBufferPool pool = new LargeBufferPool();
        ByteBuf buffer = pool.take(LargeBufferPool.MIN_POOLED_BYTES + 1);
        assertEquals(LargeBufferPool.MIN_POOLED_BYTES + 1, buffer.capacity());
        assertEquals(LargeBufferPool.MIN_POOLED_BYTES + 1, buffer.maxCapacity());
        buffer.writerIndex(buffer.capacity());
        assertThrows(IndexOutOfBoundsException.class, () -> buffer.writeByte(1));
        buffer.release();
    }

    @Test
    void slicesKeepTheMemoryOutOfThePoolUntilTheLastRelease() {
        LargeBufferPool pool = new LargeBufferPool();
        ByteBuf buffer = pool.take(1 << 20);
        buffer.writerIndex(1 << 20);
        ByteBuf slice = buffer.retainedSlice(0, 4096);
        long address = buffer.memoryAddress();
        buffer.release();

        ByteBuf other = pool.take(1 << 20);
        assertTrue(other.memoryAddress() != address, "memory still referenced by a slice is not handed out");
        slice.release();
        ByteBuf reused = pool.take(1 << 20);
        assertEquals(address, reused.memoryAddress());
        other.release();
        reused.release();
    }

    @Test
    void sizesOutsideThePooledClassesComeFromNetty() {
        LargeBufferPool pool = new LargeBufferPool();
        ByteBuf small = pool.take(4096);
        assertEquals(4096, small.capacity());
        assertTrue(small.isDirect());
        small.release();
    }

    @Test
    void theChannelAllocatorPoolsOnlyLargeDirectBuffers() {
        LargeBufferPool pool = new LargeBufferPool();
        ByteBufAllocator allocator = pool.allocator(ByteBufAllocator.DEFAULT);
        ByteBuf large = allocator.directBuffer(256 << 10);
        long address = large.memoryAddress();
        large.release();
        ByteBuf again = allocator.ioBuffer(256 << 10);
        assertEquals(address, again.memoryAddress());
        again.release();
        ByteBuf small = allocator.buffer(64);
        small.writeBytes(ByteBuffer.allocate(200)); // small buffers still grow
        assertEquals(200, small.readableBytes());
        small.release();
    }
}
