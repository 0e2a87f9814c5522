package io.ledgerdisk.appliance.volume;

import io.ledgerdisk.chunk.extent.Extent;
import io.ledgerdisk.chunk.format.ChunkFormat;
import io.ledgerdisk.chunk.manifest.Manifest;
import io.ledgerdisk.chunk.manifest.ManifestReader;
import io.ledgerdisk.journal.Durability;
import io.ledgerdisk.journal.JournalConfig;
import io.ledgerdisk.journal.JournalException;
import io.ledgerdisk.journal.VolumeLog;
import io.ledgerdisk.journal.VolumeLogFencedException;
import io.ledgerdisk.journal.record.LogRecord;
import io.ledgerdisk.journal.record.RecordType;
import io.ledgerdisk.nbd.device.AllocationExtent;
import io.ledgerdisk.nbd.device.BlockDevice;
import io.ledgerdisk.nbd.device.BlockDeviceException;
import io.ledgerdisk.nbd.device.BlockError;
import io.ledgerdisk.nbd.device.LargeBufferPool;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A volume as a block device. Writes go to its {@link VolumeLog} and, once BookKeeper has
 * acknowledged them, into the active memtable of its {@link VolumeLayers}; reads lay the
 * memtables over the committed manifest's chunks, and never-written ranges read as zeros.
 *
 * <p>The order "log, then memtable, then reply" is the durability invariant of DESIGN.md's
 * write path: nothing is visible to a reader before it is in the log. Thread-safe.
 */
public final class VolumeEngine implements BlockDevice {

    private static final Logger LOG = LoggerFactory.getLogger(VolumeEngine.class);

    private final String name;
    private final long volumeId;
    private final long sizeBytes;
    private final VolumeLog log;
    private final VolumeLayers layers;
    private final ManifestReader chunks;
    private final Durability durability;
    private final int maxPayloadBytes;
    private volatile boolean closed;
    private volatile Runnable onFenced = () -> { };

    public VolumeEngine(String name, long volumeId, long sizeBytes, VolumeLog log, VolumeLayers layers, ManifestReader chunks,
            JournalConfig journal) {
        this.name = name;
        this.volumeId = volumeId;
        this.sizeBytes = sizeBytes;
        this.log = log;
        this.layers = layers;
        this.chunks = chunks;
        this.durability = journal.durability();
        // Pieces of a large write stay block-aligned, so folds need no read-modify-write for them.
        this.maxPayloadBytes = Math.max(4096, journal.maxPayloadBytes() & ~4095);
    }

    /** Applies one replayed log record (restart and failover rebuild a volume this way). */
    public static void replay(VolumeLayers layers, LogRecord record) {
        switch (record.type()) {
            case WRITE -> {
                byte[] data = new byte[record.payload().readableBytes()];
                record.payload().getBytes(record.payload().readerIndex(), data);
                layers.write(record.offset(), data, record.sequence());
            }
            case ZERO, TRIM -> layers.zero(record.offset(), record.length(), record.sequence());
        }
    }

    public String name() {
        return name;
    }

    public long volumeId() {
        return volumeId;
    }

    public VolumeLog log() {
        return log;
    }

    public VolumeLayers layers() {
        return layers;
    }

    public boolean isClosed() {
        return closed;
    }

    /** What to do once another writer has fenced this volume's log (the catalog stops serving it). */
    public void onFenced(Runnable action) {
        this.onFenced = action;
    }

    @Override
    public long sizeBytes() {
        return sizeBytes;
    }

    @Override
    public boolean readOnly() {
        return false;
    }

    @Override
    public CompletableFuture<ByteBuf> read(long offset, int length) {
        BlockDeviceException refused = refuse(offset, length, BlockError.EINVAL);
        if (refused != null) {
            return CompletableFuture.failedFuture(refused);
        }
        VolumeLayers.Snapshot view = layers.snapshot();
        return readChunks(chunks, view.manifest(), offset, length, "volume " + name)
                .thenApply(reply -> overlay(view, offset, length, reply));
    }

    /**
     * The manifest's bytes of [offset, offset + length) in a reply buffer (never-written ranges as zeros).
     * They go straight into the reply's direct buffer: a heap array would cost an allocation here and
     * another copy when the socket writes it. A failed chunk read (a checksum mismatch among them) releases
     * the buffer, logs one line naming {@code source} and fails with EIO for the client.
     */
    static CompletableFuture<ByteBuf> readChunks(ManifestReader chunks, Manifest manifest, long offset, int length,
            String source) {
        ByteBuf reply = LargeBufferPool.SHARED.take(length);
        CompletableFuture<Void> read;
        try {
            read = chunks.readBytes(manifest, offset, length, reply.nioBuffer(0, length), 0);
        } catch (RuntimeException e) {
            read = CompletableFuture.failedFuture(e);
        }
        return read.handle((ignored, failure) -> {
            if (failure != null) {
                reply.release();
                Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                        ? failure.getCause() : failure;
                LOG.error("read of [{}, +{}) on {} failed: {}", offset, length, source, cause.getMessage());
                throw new BlockDeviceException(BlockError.EIO, "read on " + source + " failed: " + cause.getMessage(),
                        cause);
            }
            return reply.writerIndex(length);
        });
    }

    @Override
    public CompletableFuture<Void> write(long offset, ByteBuf data, boolean fua) {
        int length = data.readableBytes();
        BlockDeviceException refused = refuse(offset, length, BlockError.ENOSPC);
        if (refused != null) {
            return CompletableFuture.failedFuture(refused);
        }
        // One record per piece: an NBD write may be larger (up to 32 MiB) than a ledger entry carries.
        CompletableFuture<?>[] pieces = new CompletableFuture<?>[(length + maxPayloadBytes - 1) / maxPayloadBytes];
        for (int i = 0; i < pieces.length; i++) {
            int from = i * maxPayloadBytes;
            byte[] copy = new byte[Math.min(maxPayloadBytes, length - from)];
            data.getBytes(data.readerIndex() + from, copy);
            long pieceOffset = offset + from;
            pieces[i] = whenSpace().thenCompose(v -> log.append(RecordType.WRITE, pieceOffset, copy.length,
                    Unpooled.wrappedBuffer(copy), sequence -> layers.write(pieceOffset, copy, sequence)));
        }
        CompletableFuture<Void> applied = pieces.length == 1 ? pieces[0].thenApply(v -> null) : CompletableFuture.allOf(pieces);
        return fua ? durable(applied, "FUA write") : failAsIo(applied, "write");
    }

    @Override
    public CompletableFuture<Void> flush() {
        return failAsIo(log.force(), "flush");
    }

    @Override
    public CompletableFuture<Void> trim(long offset, long length, boolean fua) {
        return zeroRange(RecordType.TRIM, offset, length, fua);
    }

    @Override
    public CompletableFuture<Void> writeZeroes(long offset, long length, boolean fua) {
        return zeroRange(RecordType.ZERO, offset, length, fua);
    }

    @Override
    public CompletableFuture<List<AllocationExtent>> allocation(long offset, long length) {
        BlockDeviceException refused = refuse(offset, length, BlockError.EINVAL);
        if (refused != null) {
            return CompletableFuture.failedFuture(refused);
        }
        VolumeLayers.Snapshot view = layers.snapshot();
        AllocationPainter painter = new AllocationPainter(offset, length);
        long firstBlock = offset >>> ChunkFormat.BLOCK_SHIFT;
        long endBlock = (offset + length + ChunkFormat.BLOCK_SIZE - 1) >>> ChunkFormat.BLOCK_SHIFT;
        for (Extent extent : view.manifest().extents().extentsIn(firstBlock, endBlock - firstBlock)) {
            painter.paint(extent.firstBlock() << ChunkFormat.BLOCK_SHIFT, extent.endBlock() << ChunkFormat.BLOCK_SHIFT, extent.isZero());
        }
        for (Memtable memtable : view.memtables()) {
            memtable.forEachHeld(offset, length, painter::paint);
        }
        return CompletableFuture.completedFuture(painter.extents());
    }

    /** Stops serving: later requests fail with ESHUTDOWN. Closes the log; blocks until it is closed. */
    public void close() {
        closed = true;
        log.close();
    }

    /** Like {@link #close()} without blocking: completes when the log is closed. */
    public CompletableFuture<Void> closeAsync() {
        closed = true;
        return log.closeAsync();
    }

    /** Lays the memtables, oldest first, over the bytes read from chunks (or zeros). */
    private static ByteBuf overlay(VolumeLayers.Snapshot view, long offset, int length, ByteBuf buffer) {
        for (Memtable memtable : view.memtables()) {
            memtable.read(offset, length, buffer, 0);
        }
        return buffer;
    }

    /**
     * Writes wait (backpressure) while the memtables are full, until a fold has made room, and
     * while the log has more unsent bytes queued than its bound, until BookKeeper catches up.
     */
    private CompletableFuture<Void> whenSpace() {
        CompletableFuture<Void> memory = layers.isFull() ? layers.whenSpace() : CompletableFuture.completedFuture(null);
        return log.isWritable() ? memory : memory.thenCompose(v -> log.whenWritable());
    }

    private CompletableFuture<Void> zeroRange(RecordType type, long offset, long length, boolean fua) {
        BlockDeviceException refused = refuse(offset, length, BlockError.ENOSPC);
        if (refused != null) {
            return CompletableFuture.failedFuture(refused);
        }
        CompletableFuture<Void> applied = log.append(type, offset, length, Unpooled.EMPTY_BUFFER,
                sequence -> layers.zero(offset, length, sequence)).thenApply(sequence -> null);
        String what = type.name().toLowerCase(java.util.Locale.ROOT);
        return fua ? durable(applied, what + " with FUA") : failAsIo(applied, what);
    }

    /** FUA: in lazy mode an acknowledgement is not yet fsynced, so force the log first. */
    private CompletableFuture<Void> durable(CompletableFuture<Void> applied, String what) {
        CompletableFuture<Void> forced = durability == Durability.LAZY ? applied.thenCompose(v -> log.force()) : applied;
        return failAsIo(forced, what);
    }

    private BlockDeviceException refuse(long offset, long length, BlockError outOfRange) {
        if (closed) {
            return new BlockDeviceException(BlockError.ESHUTDOWN, "volume " + name + " is closed on this node");
        }
        if (offset < 0 || length < 0 || length > sizeBytes - offset) {
            return new BlockDeviceException(outOfRange,
                    "range [" + offset + ", +" + length + ") is outside volume " + name + " of " + sizeBytes + " bytes");
        }
        return null;
    }

    /** Log failures become EIO for the client, with one log line naming the volume. */
    private CompletableFuture<Void> failAsIo(CompletableFuture<Void> operation, String what) {
        return operation.exceptionallyCompose(failure -> {
            Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
            if (cause instanceof BlockDeviceException) {
                return CompletableFuture.failedFuture(cause);
            }
            if (cause instanceof VolumeLogFencedException) {
                // Another node opened the volume (DESIGN.md, failover): never acknowledge again here.
                if (!closed) {
                    closed = true;
                    LOG.error("volume {} was taken over by another writer; this node stops serving it: {}", name, cause.getMessage());
                    onFenced.run();
                }
                return CompletableFuture.failedFuture(new BlockDeviceException(BlockError.ESHUTDOWN,
                        "volume " + name + " is now served by another node", cause));
            }
            if (cause instanceof JournalException) {
                LOG.warn("{} on volume {} failed: {}", what, name, cause.getMessage());
            } else {
                LOG.error("{} on volume {} failed unexpectedly", what, name, cause);
            }
            return CompletableFuture.failedFuture(new BlockDeviceException(BlockError.EIO,
                    what + " on volume " + name + " failed: " + cause.getMessage(), cause));
        });
    }
}
