package io.ledgerdisk.chunk.compaction;

import io.ledgerdisk.chunk.format.ChunkHeader;
import io.ledgerdisk.chunk.format.ChunkWriter;
import io.ledgerdisk.chunk.format.WrittenChunk;
import io.ledgerdisk.chunk.store.ChunkId;
import io.ledgerdisk.chunk.store.ChunkStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Cuts an address-ordered stream of blocks into chunks of about the target size and puts each
 * finished chunk to the store at once (uploads overlap with compressing the next chunk). Used
 * by the fold and the merger.
 *
 * <p>At most {@link #MAX_UPLOADS} chunks are uploading at a time: past that the calling (fold)
 * thread waits for the oldest upload, which bounds a fold's memory to a few chunks however big
 * the memtable is and however slow the store. Each chunk is written into a direct
 * {@link ChunkFileBuffer} taken from the compactor's {@link ChunkFileBufferPool}, and goes back to it
 * once its put completes. This is the one place a fold blocks, and it runs on the compactor's own
 * executor, never on an event loop.
 *
 * <p>Not thread-safe.
 */
final class ChunkSink {
    static final int MAX_UPLOADS = 4;

    private final ChunkStore store;
    private final ChunkHeader header;
    private final long targetBlocks;
    private final List<WrittenChunk> written = new ArrayList<>();
    private final List<CompletableFuture<Void>> puts = new ArrayList<>();
    /** Zero ranges of chunks that ended up holding no data and were not written. */
    private final List<long[]> looseZeros = new ArrayList<>();
    private final List<long[]> pendingZeros = new ArrayList<>();
    private final ChunkFileBufferPool buffers;
    /** The bytes of the chunk being written. */
    private ChunkFileBuffer buffer;
    private final ChunkWriter.Scratch scratch = new ChunkWriter.Scratch();
    private ChunkWriter writer;

    ChunkSink(ChunkStore store, ChunkHeader header, long targetBlocks, ChunkFileBufferPool buffers) {
        this.store = store;
        this.header = header;
        this.targetBlocks = targetBlocks;
        this.buffers = buffers;
    }

    /**
     * A pool of buffers for sinks cutting chunks of {@code targetBlocks}: each holds a chunk's data and
     * a frame of slack, and it keeps as many as one sink has in use at most.
     */
    static ChunkFileBufferPool bufferPool(long targetBlocks) {
        return new ChunkFileBufferPool((int) Math.min(Integer.MAX_VALUE - 8, (targetBlocks << 12) + (64 << 10)),
                MAX_UPLOADS + 2);
    }

    /** Adds blocks read from {@code data} at absolute index 0 onwards. */
    void writeBlocks(long first, ByteBuffer data, long count) {
        long block = first;
        int at = 0;
        long remaining = count;
        while (remaining > 0) {
            ChunkWriter w = writer();
            int n = (int) Math.min(remaining, targetBlocks - w.dataBlocks());
            try {
                w.writeBlocks(block, data.slice(at, n << 12), n);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            block += n;
            at += n << 12;
            remaining -= n;
            if (w.dataBlocks() >= targetBlocks) {
                finishChunk();
            }
        }
    }

    void writeZeros(long first, long count) {
        writer().writeZeros(first, count);
        pendingZeros.add(new long[] {first, count});
    }

    /** Finishes the last chunk; the future completes when every chunk is durable. */
    CompletableFuture<List<WrittenChunk>> finish() {
        if (writer != null) {
            finishChunk();
        }
        return CompletableFuture.allOf(puts.toArray(CompletableFuture[]::new)).thenApply(v -> List.copyOf(written));
    }

    /** Zero ranges that no written chunk records (they belonged to data-less chunks). */
    List<long[]> looseZeros() {
        return looseZeros;
    }

    private ChunkWriter writer() {
        if (writer == null) {
            buffer = buffers.take();
            try {
                writer = new ChunkWriter(ChunkId.newChunk(header.volumeId(), header.toSequence()), header, buffer, scratch);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return writer;
    }

    private void finishChunk() {
        if (writer.dataBlocks() == 0) {
            // A chunk of zero runs alone is not worth an object: the extent map records them.
            looseZeros.addAll(pendingZeros);
            buffers.give(buffer);
        } else {
            try {
                WrittenChunk chunk = writer.finish();
                written.add(chunk);
                ChunkFileBuffer filled = buffer;
                puts.add(store.put(chunk.id(), filled.written()).whenComplete((v, error) -> buffers.give(filled)));
                int uploading = 0;
                for (CompletableFuture<Void> put : puts) {
                    if (!put.isDone()) {
                        uploading++;
                    }
                }
                for (int i = 0; uploading > MAX_UPLOADS && i < puts.size(); i++) {
                    if (!puts.get(i).isDone()) {
                        // A failed upload fails the fold at finish(); here we only wait for it.
                        puts.get(i).handle((v, error) -> null).join();
                        uploading--;
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        pendingZeros.clear();
        writer = null;
    }
}
