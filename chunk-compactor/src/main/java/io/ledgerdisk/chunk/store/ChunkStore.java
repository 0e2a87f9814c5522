package io.ledgerdisk.chunk.store;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Where chunk files (and manifests stored as objects) live: a local directory, S3, or a cache
 * in front of S3. Objects are immutable: written once under a fresh {@link ChunkId}, read by
 * ranges, deleted by garbage collection.
 *
 * <p>Every method returns at once; the work runs on the store's own threads and the future
 * completes when it is done. Failures complete the future exceptionally with
 * {@link ChunkNotFoundException} (no such object) or {@link ChunkStoreException} (the store
 * could not do it; the message names the object and the operation). Implementations are
 * thread-safe.
 */
public interface ChunkStore extends AutoCloseable {

    /**
     * Stores {@code bytes} under {@code id}; when the future completes the object is durable.
     * The store may keep the array: the caller must not change it afterwards.
     */
    CompletableFuture<Void> put(ChunkId id, byte[] bytes);

    /**
     * Stores the bytes from {@code bytes}' position to its limit under {@code id}; when the future completes
     * the object is durable and the store no longer reads the buffer, which the caller may then reuse (not
     * before). A direct buffer lets a local store write without the JDK's copy of heap bytes into native
     * memory. By default the bytes are copied into an array for {@link #put(ChunkId, byte[])} at once.
     */
    default CompletableFuture<Void> put(ChunkId id, ByteBuffer bytes) {
        byte[] copy = new byte[bytes.remaining()];
        bytes.duplicate().get(copy);
        return put(id, copy);
    }

    /** Stores the content of {@code file} under {@code id}; the file is not changed. */
    CompletableFuture<Void> put(ChunkId id, Path file);

    /**
     * Reads {@code length} bytes from {@code offset}. A range that runs past the end of the
     * object completes with {@link ChunkStoreException}.
     */
    CompletableFuture<byte[]> getRange(ChunkId id, long offset, int length);

    /**
     * A read-only view of the range, at once and without copying, when the store holds it in memory
     * already (a mapped local file whose pages the page cache holds); otherwise null, and the caller
     * uses {@link #getRange}. Never blocks on I/O, so it is safe on an event loop. The view stays
     * valid after the object is deleted. By default always null.
     */
    default ByteBuffer residentRange(ChunkId id, long offset, int length) {
        return null;
    }

    /** The object's length in bytes. */
    CompletableFuture<Long> size(ChunkId id);

    /** Deletes the object; deleting an object that does not exist succeeds. */
    CompletableFuture<Void> delete(ChunkId id);

    /** Every object in the store, in no particular order. */
    CompletableFuture<List<StoredChunk>> list();

    /** Releases threads and connections; pending operations may fail. */
    @Override
    void close();
}
