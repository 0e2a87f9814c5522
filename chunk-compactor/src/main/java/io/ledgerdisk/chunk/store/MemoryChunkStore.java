package io.ledgerdisk.chunk.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Chunks held on the heap: for tests, benchmarks and throw-away volumes. Nothing survives the
 * process. Operations complete on the caller's thread.
 *
 * <p>Thread-safe.
 */
public final class MemoryChunkStore implements ChunkStore {
    private record Entry(byte[] bytes, long modifiedMillis) {
    }

    private final ConcurrentMap<ChunkId, Entry> objects = new ConcurrentHashMap<>();

    @Override
    public CompletableFuture<Void> put(ChunkId id, byte[] bytes) {
        Objects.requireNonNull(id, "id");
        objects.put(id, new Entry(bytes, System.currentTimeMillis()));
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<Void> put(ChunkId id, Path file) {
        try {
            return put(id, Files.readAllBytes(file));
        } catch (IOException e) {
            return CompletableFuture.failedFuture(new ChunkStoreException("cannot read " + file + " to store it as "
                    + id, e));
        }
    }

    @Override
    public CompletableFuture<byte[]> getRange(ChunkId id, long offset, int length) {
        Entry e = objects.get(id);
        if (e == null) {
            return CompletableFuture.failedFuture(new ChunkNotFoundException(id, "the memory chunk store"));
        }
        if (offset < 0 || length < 0 || offset + length > e.bytes.length) {
            return CompletableFuture.failedFuture(new ChunkStoreException("range [" + offset + ", "
                    + (offset + length) + ") of chunk " + id + " is outside its " + e.bytes.length + " bytes"));
        }
        byte[] out = new byte[length];
        System.arraycopy(e.bytes, (int) offset, out, 0, length);
        return CompletableFuture.completedFuture(out);
    }

    @Override
    public CompletableFuture<Long> size(ChunkId id) {
        Entry e = objects.get(id);
        if (e == null) {
            return CompletableFuture.failedFuture(new ChunkNotFoundException(id, "the memory chunk store"));
        }
        return CompletableFuture.completedFuture((long) e.bytes.length);
    }

    @Override
    public CompletableFuture<Void> delete(ChunkId id) {
        objects.remove(id);
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<List<StoredChunk>> list() {
        List<StoredChunk> out = new ArrayList<>();
        objects.forEach((id, e) -> out.add(new StoredChunk(id, e.bytes.length, e.modifiedMillis)));
        return CompletableFuture.completedFuture(out);
    }

    /** Overwrites one byte of a stored object in place; for corruption tests. */
    public void corrupt(ChunkId id, long offset) {
        Entry e = objects.get(id);
        if (e == null) {
            throw new ChunkNotFoundException(id, "the memory chunk store");
        }
        e.bytes[(int) offset] ^= (byte) 0x5a;
    }

    /** Bytes held by all objects. */
    public long totalBytes() {
        return objects.values().stream().mapToLong(e -> e.bytes.length).sum();
    }

    @Override
    public void close() {
        objects.clear();
    }

    @Override
    public String toString() {
        return "memory chunk store";
    }
}
