package io.ledgerdisk.nbd.device;

import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.buffer.UnpooledUnsafeDirectByteBuf;
import io.netty.util.internal.PlatformDependent;
import java.nio.ByteBuffer;
import java.util.concurrent.LinkedBlockingDeque;

/**
 * Direct buffers of 256 KiB to 32 MiB, reused instead of allocated per request: socket reads of large write
 * payloads and large read replies.
 *
 * <p>netty's default (adaptive) allocator pools buffers only up to 1 MiB, and it retires the chunks behind
 * socket-read buffers while payload slices still pin them, so large transfers kept allocating fresh native
 * memory that the JDK zeroes and the kernel faults in page by page. At 4 MiB QD8 that zeroing and faulting
 * took a tenth of the machine's CPU (async-profiler, bench/nbd). Here each power-of-two size class keeps up
 * to {@link #RETAINED_BYTES_PER_CLASS} of released buffers; a buffer goes back to its class when its last
 * reference is released, and is left to the GC when the class is full. Released memory therefore stays
 * at most 8 classes × 32 MiB = 256 MiB of direct memory, and only for the sizes clients really use.
 *
 * <p>A class hands out its most recently released buffer first. Streamed writes use one socket-read buffer
 * at a time, so that buffer is still in the CPU cache when the next read fills it; first-in-first-out, a
 * class that had filled up under 4 KiB writes at queue depth 32 cycled 4 MiB writes through all its cold
 * buffers, at 2.25 instead of 1.5 ms of CPU per write.
 *
 * <p>Thread-safe: buffers are taken and released on any thread.
 */
public final class LargeBufferPool {

    /** Smallest pooled size class; smaller buffers come from netty's allocator, which pools them well. */
    public static final int MIN_POOLED_BYTES = 256 << 10;
    /** Largest pooled size class: the NBD maximum payload. */
    public static final int MAX_POOLED_BYTES = 32 << 20;
    /** Released memory kept per size class. */
    static final int RETAINED_BYTES_PER_CLASS = 32 << 20;

    private static final int FIRST_CLASS_SHIFT = Integer.numberOfTrailingZeros(MIN_POOLED_BYTES);
    private static final int CLASSES = Integer.numberOfTrailingZeros(MAX_POOLED_BYTES) - FIRST_CLASS_SHIFT + 1;

    /**
     * The pool the NBD server and the RAM device share (declared after the constants its constructor reads).
     */
    public static final LargeBufferPool SHARED = new LargeBufferPool();

    private final LinkedBlockingDeque<ByteBuffer>[] released;

    @SuppressWarnings("unchecked")
    LargeBufferPool() {
        released = new LinkedBlockingDeque[CLASSES];
        for (int sizeClass = 0; sizeClass < CLASSES; sizeClass++) {
            int buffers = Math.max(1, RETAINED_BYTES_PER_CLASS / (MIN_POOLED_BYTES << sizeClass));
            released[sizeClass] = new LinkedBlockingDeque<>(buffers);
        }
    }

    /**
     * An empty direct buffer with room for exactly {@code length} bytes (it cannot grow); the caller owns one
     * reference. Lengths outside the pooled classes come from netty's default allocator.
     */
    public ByteBuf take(int length) {
        if (!pools(length)) {
            return ByteBufAllocator.DEFAULT.directBuffer(length, length);
        }
        int sizeClass = sizeClass(length);
        LinkedBlockingDeque<ByteBuffer> home = released[sizeClass];
        // Most recently released first: its memory is the likeliest to still be in the CPU cache.
        ByteBuffer memory = home.pollFirst();
        if (memory == null) {
            memory = ByteBuffer.allocateDirect(MIN_POOLED_BYTES << sizeClass);
        }
        memory.clear();
        ByteBuf whole = new PooledBuffer(memory, home);
        // Wrapping a ByteBuffer starts out full; a slice shares the whole buffer's reference count, so its
        // last release returns the memory.
        return length == memory.capacity() ? whole.clear() : whole.slice(0, length).clear();
    }

    /**
     * An allocator for a channel: direct buffers in the pooled classes come from this pool, everything else
     * from {@code delegate}.
     */
    public ByteBufAllocator allocator(ByteBufAllocator delegate) {
        return new AbstractByteBufAllocator(true) {
            @Override
            protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
                return delegate.heapBuffer(initialCapacity, maxCapacity);
            }

            @Override
            protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
                return pools(initialCapacity) ? take(initialCapacity) : delegate.directBuffer(initialCapacity, maxCapacity);
            }

            @Override
            public boolean isDirectBufferPooled() {
                return true;
            }
        };
    }

    /** Whether buffers of {@code length} come from the pool: pooled sizes, and only where netty has Unsafe. */
    private static boolean pools(int length) {
        return length >= MIN_POOLED_BYTES && length <= MAX_POOLED_BYTES && PlatformDependent.hasUnsafe();
    }

    private static int sizeClass(int length) {
        int ceilingShift = 32 - Integer.numberOfLeadingZeros(length - 1);
        return ceilingShift - FIRST_CLASS_SHIFT;
    }

    /**
     * Pooled memory through netty's Unsafe accessors: its memory address is known, so socket reads and
     * writes need no NIO view per call.
     */
    private static final class PooledBuffer extends UnpooledUnsafeDirectByteBuf {
        private final ByteBuffer memory;
        private final LinkedBlockingDeque<ByteBuffer> home;

        PooledBuffer(ByteBuffer memory, LinkedBlockingDeque<ByteBuffer> home) {
            super(UnpooledByteBufAllocator.DEFAULT, memory, memory.capacity());
            this.memory = memory;
            this.home = home;
        }

        @Override
        protected void deallocate() {
            // A full class leaves the memory to the GC, which frees it with the ByteBuffer.
            home.offerFirst(memory);
        }
    }
}
