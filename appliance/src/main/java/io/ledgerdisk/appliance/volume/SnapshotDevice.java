package io.ledgerdisk.appliance.volume;

import io.ledgerdisk.chunk.extent.Extent;
import io.ledgerdisk.chunk.format.ChunkFormat;
import io.ledgerdisk.chunk.manifest.Manifest;
import io.ledgerdisk.chunk.manifest.ManifestReader;
import io.ledgerdisk.nbd.device.AllocationExtent;
import io.ledgerdisk.nbd.device.BlockDevice;
import io.ledgerdisk.nbd.device.BlockDeviceException;
import io.ledgerdisk.nbd.device.BlockError;
import io.netty.buffer.ByteBuf;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A snapshot as a read-only block device (export {@code VOL@SNAP}): the bytes of one pinned
 * manifest, read straight from its chunks; never-written ranges read as zeros. Nothing is in
 * memory but the manifest, so opening one costs one manifest load whatever the volume's size.
 * Writes, trims and write-zeroes are refused with {@link BlockError#EPERM} (the NBD server
 * also advertises {@code NBD_FLAG_READ_ONLY}). Thread-safe: the manifest is immutable.
 */
public final class SnapshotDevice implements BlockDevice {

    private final String exportName;
    private final long sizeBytes;
    private final Manifest manifest;
    private final ManifestReader chunks;

    /**
     * @param exportName {@code VOL@SNAP}
     * @param sizeBytes  the volume's size
     * @param manifest   the pinned manifest
     * @param chunks     reads the manifest's chunks
     */
    public SnapshotDevice(String exportName, long sizeBytes, Manifest manifest, ManifestReader chunks) {
        this.exportName = exportName;
        this.sizeBytes = sizeBytes;
        this.manifest = manifest;
        this.chunks = chunks;
    }

    public String exportName() {
        return exportName;
    }

    public Manifest manifest() {
        return manifest;
    }

    @Override
    public long sizeBytes() {
        return sizeBytes;
    }

    @Override
    public boolean readOnly() {
        return true;
    }

    @Override
    public CompletableFuture<ByteBuf> read(long offset, int length) {
        return VolumeEngine.readChunks(chunks, manifest, offset, length, "snapshot " + exportName);
    }

    @Override
    public CompletableFuture<Void> write(long offset, ByteBuf data, boolean fua) {
        return refused("write");
    }

    @Override
    public CompletableFuture<Void> flush() {
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<Void> trim(long offset, long length, boolean fua) {
        return refused("trim");
    }

    @Override
    public CompletableFuture<Void> writeZeroes(long offset, long length, boolean fua) {
        return refused("write-zeroes");
    }

    @Override
    public CompletableFuture<List<AllocationExtent>> allocation(long offset, long length) {
        AllocationPainter painter = new AllocationPainter(offset, length);
        long firstBlock = offset >>> ChunkFormat.BLOCK_SHIFT;
        long endBlock = (offset + length + ChunkFormat.BLOCK_SIZE - 1) >>> ChunkFormat.BLOCK_SHIFT;
        for (Extent extent : manifest.extents().extentsIn(firstBlock, endBlock - firstBlock)) {
            painter.paint(extent.firstBlock() << ChunkFormat.BLOCK_SHIFT, extent.endBlock() << ChunkFormat.BLOCK_SHIFT, extent.isZero());
        }
        return CompletableFuture.completedFuture(painter.extents());
    }

    private CompletableFuture<Void> refused(String what) {
        return CompletableFuture.failedFuture(new BlockDeviceException(BlockError.EPERM, exportName
                + " is a read-only snapshot; " + what + " refused (clone it with 'ledgerdisk volume clone " + exportName
                + " NEW' for a writable copy)"));
    }
}
