package io.ledgerdisk.appliance.volume;

import io.ledgerdisk.journal.Durability;
import io.ledgerdisk.journal.JournalConfig;
import io.ledgerdisk.journal.JournalException;
import io.ledgerdisk.journal.VolumeLog;
import io.ledgerdisk.journal.record.LogRecord;
import io.ledgerdisk.journal.record.RecordType;
import io.ledgerdisk.nbd.device.AllocationExtent;
import io.ledgerdisk.nbd.device.BlockDevice;
import io.ledgerdisk.nbd.device.BlockDeviceException;
import io.ledgerdisk.nbd.device.BlockError;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A volume as a block device: writes go to its {@link VolumeLog} and, once BookKeeper has
 * acknowledged them, into its {@link Memtable}; reads are served from the memtable, and
 * never-written ranges read as zeros.
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
    private final Memtable memtable;
    private final Durability durability;
    private final int maxPayloadBytes;
    private volatile boolean closed;

    public VolumeEngine(String name, long volumeId, long sizeBytes, VolumeLog log, Memtable memtable, JournalConfig journal) {
        this.name = name;
        this.volumeId = volumeId;
        this.sizeBytes = sizeBytes;
        this.log = log;
        this.memtable = memtable;
        this.durability = journal.durability();
        this.maxPayloadBytes = journal.maxPayloadBytes();
    }

    /** Applies one replayed log record to a memtable (restart and failover rebuild a volume this way). */
    public static void replay(Memtable memtable, LogRecord record) {
        switch (record.type()) {
            case WRITE -> {
                byte[] data = new byte[record.payload().readableBytes()];
                record.payload().getBytes(record.payload().readerIndex(), data);
                memtable.write(record.offset(), data, record.sequence());
            }
            case ZERO, TRIM -> memtable.zero(record.offset(), record.length(), record.sequence());
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

    public Memtable memtable() {
        return memtable;
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
        ByteBuf buffer = ByteBufAllocator.DEFAULT.buffer(length, length);
        buffer.setZero(0, length);
        memtable.read(offset, length, buffer, 0);
        buffer.writerIndex(length);
        return CompletableFuture.completedFuture(buffer);
    }

    @Override
    public CompletableFuture<Void> write(long offset, ByteBuf data, boolean fua) {
        int length = data.readableBytes();
        BlockDeviceException refused = refuse(offset, length, BlockError.ENOSPC);
        if (refused != null) {
            return CompletableFuture.failedFuture(refused);
        }
        // One record per piece: an NBD write may be larger (up to 32 MiB) than a ledger entry carries.
        int pieceBytes = maxPayloadBytes;
        CompletableFuture<?>[] pieces = new CompletableFuture<?>[(length + pieceBytes - 1) / pieceBytes];
        for (int i = 0; i < pieces.length; i++) {
            int from = i * pieceBytes;
            byte[] copy = new byte[Math.min(pieceBytes, length - from)];
            data.getBytes(data.readerIndex() + from, copy);
            long pieceOffset = offset + from;
            pieces[i] = log.append(RecordType.WRITE, pieceOffset, copy.length, Unpooled.wrappedBuffer(copy))
                    .thenAccept(sequence -> memtable.write(pieceOffset, copy, sequence));
        }
        CompletableFuture<Void> applied = pieces.length == 1 ? pieces[0].thenApply(v -> null) : CompletableFuture.allOf(pieces);
        return fua ? durable(applied) : failAsIo(applied, "write");
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
        return CompletableFuture.completedFuture(memtable.allocation(offset, length));
    }

    /** Stops serving: later requests fail with ESHUTDOWN. Closes the log. */
    public void close() {
        closed = true;
        log.close();
    }

    private CompletableFuture<Void> zeroRange(RecordType type, long offset, long length, boolean fua) {
        BlockDeviceException refused = refuse(offset, length, BlockError.ENOSPC);
        if (refused != null) {
            return CompletableFuture.failedFuture(refused);
        }
        CompletableFuture<Void> applied = log.append(type, offset, length, Unpooled.EMPTY_BUFFER)
                .thenAccept(sequence -> memtable.zero(offset, length, sequence));
        return fua ? durable(applied) : failAsIo(applied, type.name().toLowerCase());
    }

    /** FUA: in lazy mode an acknowledgement is not yet fsynced, so force the log first. */
    private CompletableFuture<Void> durable(CompletableFuture<Void> applied) {
        CompletableFuture<Void> forced = durability == Durability.LAZY ? applied.thenCompose(v -> log.force()) : applied;
        return failAsIo(forced, "FUA write");
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
            if (!(cause instanceof JournalException)) {
                LOG.error("{} on volume {} failed unexpectedly", what, name, cause);
            } else {
                LOG.warn("{} on volume {} failed: {}", what, name, cause.getMessage());
            }
            return CompletableFuture.failedFuture(new BlockDeviceException(BlockError.EIO,
                    what + " on volume " + name + " failed: " + cause.getMessage(), cause));
        });
    }
}
