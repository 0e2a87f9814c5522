package io.ledgerdisk.chunk.format;

import io.ledgerdisk.chunk.store.ChunkId;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Recently decompressed frames, bounded by bytes, least recently used dropped first. A 4 KiB
 * read costs a whole 64 KiB frame (one ranged read, CRC32C, LZ4); neighbouring reads of a
 * sequential scan hit the same frame, so keeping a few recent frames saves most of that work.
 *
 * <p>Frames are immutable (chunks never change), so a cached frame is never stale. Entries are
 * checked when they enter (the reader verified their CRC32C); a scrub bypasses the cache.
 *
 * <p>Thread-safe.
 */
public final class FrameCache {
    /** Looked up on every compressed-frame read: plain fields and methods, which the JIT inlines fully. */
    private static final class Key {
        private final ChunkId chunk;
        private final int frame;

        Key(ChunkId chunk, int frame) {
            this.chunk = chunk;
            this.frame = frame;
        }

        ChunkId chunk() {
            return chunk;
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Key key && key.frame == frame && key.chunk.value().equals(chunk.value());
        }

        @Override
        public int hashCode() {
            return chunk.value().hashCode() * 31 + frame;
        }
    }

    private final long maxBytes;
    private final LinkedHashMap<Key, byte[]> frames = new LinkedHashMap<>(256, 0.75f, true);
    private long bytes;
    private long hits;
    private long misses;

    /** A cache holding at most {@code maxBytes} of decompressed frames (0 disables it). */
    public FrameCache(long maxBytes) {
        if (maxBytes < 0) {
            throw new IllegalArgumentException("frame cache size must not be negative, got " + maxBytes);
        }
        this.maxBytes = maxBytes;
    }

    /** The decompressed frame, or null. Callers must not change the array. */
    synchronized byte[] get(ChunkId chunk, int frame) {
        byte[] f = frames.get(new Key(chunk, frame));
        if (f == null) {
            misses++;
        } else {
            hits++;
        }
        return f;
    }

    /** Keeps a verified, decompressed frame; the cache owns the array from now on. */
    synchronized void put(ChunkId chunk, int frame, byte[] data) {
        if (data.length > maxBytes) {
            return;
        }
        byte[] previous = frames.put(new Key(chunk, frame), data);
        bytes += data.length - (previous == null ? 0 : previous.length);
        Iterator<Map.Entry<Key, byte[]>> it = frames.entrySet().iterator();
        while (bytes > maxBytes && it.hasNext()) {
            bytes -= it.next().getValue().length;
            it.remove();
        }
    }

    /** Drops every frame of {@code chunk} (after it was deleted). */
    public synchronized void forget(ChunkId chunk) {
        Iterator<Map.Entry<Key, byte[]>> it = frames.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<Key, byte[]> e = it.next();
            if (e.getKey().chunk().equals(chunk)) {
                bytes -= e.getValue().length;
                it.remove();
            }
        }
    }

    /** Lookups that found their frame. */
    public synchronized long hits() {
        return hits;
    }

    /** Lookups that did not. */
    public synchronized long misses() {
        return misses;
    }

    /** Decompressed bytes held. */
    public synchronized long bytes() {
        return bytes;
    }
}
