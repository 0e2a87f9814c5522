package io.ledgerdisk.chunk.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Chunk files mapped read-only into memory, least recently used dropped first. Chunks never change once
 * written, so one mapping serves every reader, and a read of a range the page cache holds needs no system call and no hand-off to an I/O
 * thread ({@link #residentRange}).
 *
 * <p>A dropped mapping stays valid for readers still holding it and is unmapped when the garbage
 * collector frees it; the file it maps is never truncated (chunks are deleted, not rewritten), so such
 * a reader never faults. Thread-safe.
 */
final class MappedChunkFiles {

    /** Files larger than this are not mapped; their ranges are read through a channel. */
    static final long MAX_MAPPED_BYTES = Integer.MAX_VALUE;

    private final int capacity;
    private final LinkedHashMap<ChunkId, MappedByteBuffer> mapped;

    MappedChunkFiles(int capacity) {
        this.capacity = capacity;
        this.mapped = new LinkedHashMap<>(16, 0.75f, true);
    }

    /** The mapping of a chunk, mapping its file on first use; null for a file too large to map. */
    MappedByteBuffer mapping(ChunkId id, Path file) throws IOException {
        MappedByteBuffer mapping = mappingIfOpen(id);
        if (mapping != null) {
            return mapping;
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            if (size > MAX_MAPPED_BYTES) {
                return null;
            }
            mapping = channel.map(FileChannel.MapMode.READ_ONLY, 0, size);
        }
        synchronized (this) {
            mapped.put(id, mapping);
            if (mapped.size() > capacity) {
                mapped.remove(mapped.keySet().iterator().next());
            }
        }
        return mapping;
    }

    /** The mapping of a chunk already mapped, or null; never does I/O. */
    private synchronized MappedByteBuffer mappingIfOpen(ChunkId id) {
        return mapped.get(id);
    }

    /** Drops a chunk's mapping (before its file is deleted). */
    synchronized void forget(ChunkId id) {
        mapped.remove(id);
    }

    synchronized void clear() {
        mapped.clear();
    }

    /**
     * Reads {@code [offset, offset + length)} of a chunk file, through its mapping (mapping it on first
     * use), or through a channel for a file too large to map. Blocks on I/O: for the store's threads.
     *
     * @throws ChunkStoreException for a range past the end of the file
     */
    byte[] read(ChunkId id, Path file, long offset, int length) throws IOException {
        byte[] out = new byte[length];
        MappedByteBuffer mapping = mapping(id, file);
        if (mapping == null) {
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
                ByteBuffer target = ByteBuffer.wrap(out);
                long at = offset;
                while (target.hasRemaining()) {
                    int n = channel.read(target, at);
                    if (n < 0) {
                        throw pastTheEnd(id, file, offset, length, channel.size());
                    }
                    at += n;
                }
            }
        } else if (offset < 0 || offset + length > mapping.capacity()) {
            throw pastTheEnd(id, file, offset, length, mapping.capacity());
        } else {
            mapping.get((int) offset, out);
        }
        return out;
    }

    /**
     * {@code [offset, offset + length)} of a chunk already mapped, as a read-only view, when every page
     * of it is in the page cache ({@code mincore}); else null (not mapped, not resident, or past the
     * end). Never does I/O. A page evicted between the check and its use only makes the reader wait.
     */
    ByteBuffer residentRange(ChunkId id, long offset, int length) {
        MappedByteBuffer mapping = mappingIfOpen(id);
        if (mapping == null || offset < 0 || length < 0 || offset + length > mapping.capacity()) {
            return null;
        }
        MappedByteBuffer range = mapping.slice((int) offset, length);
        return range.isLoaded() ? range.asReadOnlyBuffer() : null;
    }

    private static ChunkStoreException pastTheEnd(ChunkId id, Path file, long offset, int length, long size) {
        return new ChunkStoreException("range [" + offset + ", " + (offset + length) + ") of chunk " + id
                + " runs past its end (" + size + " bytes) in " + file);
    }
}
