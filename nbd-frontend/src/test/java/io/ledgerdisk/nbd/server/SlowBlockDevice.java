package io.ledgerdisk.nbd.server;

import io.ledgerdisk.nbd.device.BlockDevice;
import io.ledgerdisk.nbd.device.BlockDeviceException;
import io.ledgerdisk.nbd.device.BlockError;
import io.netty.buffer.ByteBuf;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * Wraps a device so that reads at offset 0 complete late, on another thread, and reads at a chosen offset
 * fail with EIO: enough to show replies leave out of order and device failures reach the client.
 */
final class SlowBlockDevice extends ForwardingBlockDevice {

    private final long delayMillis;
    private final long failingOffset;

    SlowBlockDevice(BlockDevice delegate, long delayMillis, long failingOffset) {
        super(delegate);
        this.delayMillis = delayMillis;
        this.failingOffset = failingOffset;
    }

    @Override
    public CompletableFuture<ByteBuf> read(long offset, int length) {
        if (offset == failingOffset) {
            return CompletableFuture.failedFuture(new BlockDeviceException(BlockError.EIO, "injected media error"));
        }
        if (offset != 0) {
            return super.read(offset, length);
        }
        Executor later = CompletableFuture.delayedExecutor(delayMillis, TimeUnit.MILLISECONDS);
        return CompletableFuture.supplyAsync(() -> null, later).thenCompose(ignored -> super.read(offset, length));
    }
}
