package io.ledgerdisk.chunk.store;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Chunk files kept open for reading, least recently used closed first. Chunks never change once
 * written, so one positional-read channel per chunk serves every reader; opening the file for
 * each 4 KiB read cost more than the read itself. Thread-safe.
 */
final class OpenChunkFiles implements AutoCloseable {

    private final int capacity;
    private final LinkedHashMap<ChunkId, FileChannel> open;

    OpenChunkFiles(int capacity) {
        this.capacity = capacity;
        this.open = new LinkedHashMap<>(16, 0.75f, true);
    }

    /** The open channel of a chunk, opening it on first use. */
    synchronized FileChannel channel(ChunkId id, Path file) throws IOException {
        FileChannel channel = open.get(id);
        if (channel != null && channel.isOpen()) {
            return channel;
        }
        channel = FileChannel.open(file, StandardOpenOption.READ);
        open.put(id, channel);
        if (open.size() > capacity) {
            Map.Entry<ChunkId, FileChannel> eldest = open.entrySet().iterator().next();
            open.remove(eldest.getKey());
            closeQuietly(eldest.getValue());
        }
        return channel;
    }

    /** Closes a chunk's channel (before its file is deleted); a read racing with this retries. */
    synchronized void forget(ChunkId id) {
        FileChannel channel = open.remove(id);
        if (channel != null) {
            closeQuietly(channel);
        }
    }

    @Override
    public synchronized void close() {
        open.values().forEach(OpenChunkFiles::closeQuietly);
        open.clear();
    }

    private static void closeQuietly(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            // Read-only channel: nothing buffered can be lost by a failed close.
            return;
        }
    }
}
