package io.ledgerdisk.nbd.server;

import io.ledgerdisk.nbd.device.AllocationExtent;
import io.ledgerdisk.nbd.device.BlockDevice;
import io.netty.buffer.ByteBuf;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** A device that passes every call to another; tests override what they need to disturb. */
class ForwardingBlockDevice implements BlockDevice {

    private final BlockDevice delegate;

    ForwardingBlockDevice(BlockDevice delegate) {
        this.delegate = delegate;
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
        return delegate.read(offset, length);
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
