package io.ledgerdisk.chunk.compaction;

import java.io.OutputStream;
import java.nio.ByteBuffer;

/**
 * The bytes of one chunk file as a {@link io.ledgerdisk.chunk.format.ChunkWriter} writes them, held in
 * direct memory so that a local store writes them to the file without first copying them out of the Java
 * heap (the JDK copies heap buffers into native memory for every write). Grows when a chunk comes out
 * larger than planned. Reused chunk after chunk.
 *
 * <p>Not thread-safe: the fold thread writes it; a store reads it only between {@link #written()} and
 * the completion of that put, while nobody writes.
 */
final class ChunkFileBuffer extends OutputStream {
    private ByteBuffer bytes;

    ChunkFileBuffer(int capacity) {
        this.bytes = ByteBuffer.allocateDirect(capacity);
    }

    /** Forgets what was written; the memory is kept for the next chunk. */
    void reset() {
        bytes.clear();
    }

    @Override
    public void write(int b) {
        reserve(1);
        bytes.put((byte) b);
    }

    @Override
    public void write(byte[] b, int off, int len) {
        reserve(len);
        bytes.put(b, off, len);
    }

    /** The bytes written since the last reset (a view: valid until the next reset or write). */
    ByteBuffer written() {
        return bytes.duplicate().flip();
    }

    private void reserve(int length) {
        if (bytes.remaining() >= length) {
            return;
        }
        long wanted = Math.max(2L * bytes.capacity(), (long) bytes.position() + length);
        ByteBuffer larger = ByteBuffer.allocateDirect((int) Math.min(Integer.MAX_VALUE - 8, wanted));
        larger.put(bytes.flip());
        bytes = larger;
    }
}
