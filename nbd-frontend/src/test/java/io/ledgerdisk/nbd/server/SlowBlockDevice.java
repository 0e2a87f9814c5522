package io.ledgerdisk.nbd.server;

import io.ledgerdisk.nbd.device.AllocationExtent;
import io.ledgerdisk.nbd.device.BlockDevice;
import io.ledgerdisk.nbd.device.BlockDeviceException;
import io.ledgerdisk.nbd.device.BlockError;
import io.netty.buffer.ByteBuf;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * Wraps a device so that reads at offset 0 complete late, on another thread, and reads at a chosen offset
 * fail with EIO: enough to show replies leave out of order and device failures reach the client.
 */
final class SlowBlockDevice implements BlockDevice {

    private final BlockDevice delegate;
    private final long delayMillis;
    private final long failingOffset;

    SlowBlockDevice(BlockDevice delegate, long delayMillis, long failingOffset) {
        this.delegate = delegate;
        this.delayMillis = delayMillis;
        this.failingOffset = failingOffset;
    }

    @Override
    public long sizeBytes() {
        return delegate.sizeBytes();
    }

    @Override
    public boolean readOnly() {
        return delegate.readOnly();
    }

    @Override
    public CompletableFuture<ByteBuf> read(long offset, int length) {
        if (offset == failingOffset) {
            return CompletableFuture.failedFuture(new BlockDeviceException(BlockError.EIO, "injected media error"));
        }
        if (offset != 0) {
            return delegate.read(offset, length);
        }
        Executor later = CompletableFuture.delayedExecutor(delayMillis, TimeUnit.MILLISECONDS);
        return CompletableFuture.supplyAsync(() -> null, later).thenCompose(ignored -> delegate.read(offset, length));
    }

    @Override
    public CompletableFuture<Void> write(long offset, ByteBuf data, boolean fua) {
        return delegate.write(offset, data, fua);
    }

    @Override
    public CompletableFuture<Void> flush() {
        return delegate.flush();
    }

    @Override
    public CompletableFuture<Void> trim(long offset, long length, boolean fua) {
        return delegate.trim(offset, length, fua);
    }

    @Override
    public CompletableFuture<Void> writeZeroes(long offset, long length, boolean fua) {
        return delegate.writeZeroes(offset, length, fua);
    }

    @Override
    public CompletableFuture<List<AllocationExtent>> allocation(long offset, long length) {
        return delegate.allocation(offset, length);
    }
}
