package io.ledgerdisk.nbd.device;

import io.netty.buffer.ByteBuf;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A block device the NBD server exports. Implementations must be thread-safe; methods must not block.
 *
 * <p>Every method reports failure by completing its future exceptionally, preferably with a
 * {@link BlockDeviceException} whose {@link BlockError} the server sends to the client; any other
 * exception is sent as {@link BlockError#EIO}. The server checks bounds, alignment and read-only
 * state before calling, so a device sees only requests inside {@code [0, sizeBytes())}.
 *
 * <p>Multi-connection contract (NBD {@code NBD_FLAG_CAN_MULTI_CONN}, proto.md "Transmission flags"):
 * once {@link #flush()} or a FUA write completes, its effects are visible to every other caller,
 * whichever connection it arrives on.
 */
public interface BlockDevice {

    /** The size of the device in bytes; constant for the life of an export. */
    long sizeBytes();

    /** Whether the device refuses writes; the server then answers writes with {@code EPERM}. */
    boolean readOnly();

    /** Returns exactly length bytes; the caller releases the buffer. */
    CompletableFuture<ByteBuf> read(long offset, int length);

    /**
     * Writes {@code data.readableBytes()} bytes at offset.
     * data is only valid until the returned future completes: the device copies what it keeps.
     * The server releases it afterwards.
     *
     * @param fua when true, the future completes only once the data is durable (NBD_CMD_FLAG_FUA)
     */
    CompletableFuture<Void> write(long offset, ByteBuf data, boolean fua);

    /**
     * Whether the server may hand this device a large write as consecutive writes of its pieces, each as
     * soon as the socket has brought it in, and acknowledge the write once every piece is written. A device
     * that copies as fast as it receives (RAM) gains: each piece is copied while it is still in the CPU's
     * cache. The cost: a write whose payload never fully arrives (the client went away) may leave some of
     * its pieces written, which proto.md allows for a write that was never acknowledged, and a device that
     * logs writes would log a large write as several. Default: false.
     */
    default boolean acceptsWritePieces() {
        return false;
    }

    /** Completes once every write completed before this call is durable (NBD_CMD_FLUSH). */
    CompletableFuture<Void> flush();

    /** Hints that the range is no longer needed; it may read back as anything until rewritten (NBD_CMD_TRIM). */
    CompletableFuture<Void> trim(long offset, long length, boolean fua);

    /**
     * Makes the range read back as zeroes (NBD_CMD_WRITE_ZEROES). The server advertises
     * {@code NBD_FLAG_SEND_FAST_ZERO}, so this must be no slower than writing the same range;
     * a device that cannot promise that for a request fails it with {@link BlockError#ENOTSUP}.
     */
    CompletableFuture<Void> writeZeroes(long offset, long length, boolean fua);

    /**
     * Allocation of [offset, offset+length): consecutive extents covering the range from offset (at least one).
     * The extents may stop short of {@code offset + length} (the caller asks again for the rest) but must
     * not overlap and must start exactly at offset.
     */
    CompletableFuture<List<AllocationExtent>> allocation(long offset, long length);
}
