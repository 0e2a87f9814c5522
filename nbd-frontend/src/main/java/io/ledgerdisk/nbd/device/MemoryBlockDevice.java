package io.ledgerdisk.nbd.device;

import io.netty.buffer.ByteBuf;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * A RAM-backed, sparse {@link BlockDevice} for tests and benchmarks. Thread-safe; without a copy executor
 * every call completes before it returns.
 *
 * <p>Storage is a two-level table of fixed-size pages (a directory of 16 MiB groups, each an array of 4 KiB
 * pages), so finding a page costs two array loads; a page that was never written, or was trimmed or zeroed
 * as a whole, is absent and reported by {@link #allocation} as a hole that reads as zeroes. A write ends
 * with a release fence and a read starts with an acquire fence, so a write that completed before a read
 * began is visible to it on any thread: flushed writes are seen on every connection (the
 * {@code NBD_FLAG_CAN_MULTI_CONN} promise). Overlapping requests in flight at the same time see each
 * other's bytes in no defined order, as proto.md allows.
 *
 * <p>Given a copy executor, reads and writes of at least {@link #BULK_COPY_BYTES} copy there instead of on
 * the caller's thread, so that one connection's large transfers use more than one core: the event loop
 * moves bytes to and from the socket while another thread moves them to and from the pages. Smaller
 * requests always copy inline, where a hand-off would cost more than the copy. Allocation queries over
 * as many bytes walk their pages there too.
 */
public final class MemoryBlockDevice implements BlockDevice {

    /** Page size: the granularity of allocation and holes. */
    public static final int PAGE_SIZE = 4096;

    /** The most extents one {@link #allocation} call returns; callers ask again for the rest. */
    static final int MAX_EXTENTS_PER_CALL = 4096;
    /** The most allocated pages one {@link #allocation} call walks (1 GiB), so a query stays cheap. */
    static final int MAX_PAGES_SCANNED_PER_CALL = 262_144;

    /** Pages per directory group: 4096 pages of 4 KiB, 16 MiB. */
    private static final int GROUP_SHIFT = 12;
    private static final int GROUP_PAGES = 1 << GROUP_SHIFT;
    /** Directory entries allowed: 2^24 groups of 16 MiB, 256 TiB. */
    private static final long MAX_GROUPS = 1L << 24;

    /** Requests at least this large copy on the copy executor, when there is one. */
    public static final int BULK_COPY_BYTES = 256 * 1024;

    private static final byte[] ZERO_PAGE = new byte[PAGE_SIZE];
    private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);

    private final long sizeBytes;
    private final boolean readOnly;
    private final AtomicReferenceArray<AtomicReferenceArray<byte[]>> groups;
    private final AtomicLong allocatedPages = new AtomicLong();
    private final Executor bulkCopies;

    /** A writable device of the given size. */
    public MemoryBlockDevice(long sizeBytes) {
        this(sizeBytes, false);
    }

    public MemoryBlockDevice(long sizeBytes, boolean readOnly) {
        this(sizeBytes, readOnly, null);
    }

    /**
     * @param bulkCopies where reads and writes of {@link #BULK_COPY_BYTES} or more copy, or null to copy
     *                   every request on the caller's thread
     */
    public MemoryBlockDevice(long sizeBytes, boolean readOnly, Executor bulkCopies) {
        if (sizeBytes < 0) {
            throw new IllegalArgumentException("device size must not be negative, was " + sizeBytes);
        }
        long groupCount = (sizeBytes + (long) PAGE_SIZE * GROUP_PAGES - 1) / ((long) PAGE_SIZE * GROUP_PAGES);
        if (groupCount > MAX_GROUPS) {
            throw new IllegalArgumentException("MemoryBlockDevice holds at most 256 TiB, asked for " + sizeBytes);
        }
        this.sizeBytes = sizeBytes;
        this.readOnly = readOnly;
        this.bulkCopies = bulkCopies;
        this.groups = new AtomicReferenceArray<>((int) groupCount);
    }

    @Override
    public long sizeBytes() {
        return sizeBytes;
    }

    @Override
    public boolean readOnly() {
        return readOnly;
    }

    /** Bytes of RAM held by allocated pages. */
    public long allocatedBytes() {
        return allocatedPages.get() * PAGE_SIZE;
    }

    @Override
    public CompletableFuture<ByteBuf> read(long offset, int length) {
        try {
            checkRange(offset, length);
        } catch (BlockDeviceException e) {
            return CompletableFuture.failedFuture(e);
        }
        if (isBulk(length)) {
            return CompletableFuture.supplyAsync(() -> copyOut(offset, length), bulkCopies);
        }
        return CompletableFuture.completedFuture(copyOut(offset, length));
    }

    private ByteBuf copyOut(long offset, int length) {
        ByteBuf out = LargeBufferPool.SHARED.take(length);
        // One NIO view for the whole copy: per-call ByteBuf checks cost more than 4 KiB copies.
        ByteBuffer target = out.nioBuffer(0, length);
        VarHandle.acquireFence();
        long position = offset;
        while (target.hasRemaining()) {
            long pageIndex = position / PAGE_SIZE;
            int inPage = (int) (position % PAGE_SIZE);
            int count = Math.min(target.remaining(), PAGE_SIZE - inPage);
            byte[] page = page(pageIndex);
            target.put(page == null ? ZERO_PAGE : page, inPage, count);
            position += count;
        }
        return out.writerIndex(length);
    }

    @Override
    public CompletableFuture<Void> write(long offset, ByteBuf data, boolean fua) {
        int length = data.readableBytes();
        try {
            checkWritable();
            checkRange(offset, length);
        } catch (BlockDeviceException e) {
            return CompletableFuture.failedFuture(e);
        }
        if (isBulk(length)) {
            return CompletableFuture.runAsync(() -> copyIn(offset, data), bulkCopies);
        }
        copyIn(offset, data);
        return DONE;
    }

    private void copyIn(long offset, ByteBuf data) {
        long position = offset;
        // Straight from each received buffer: a composite payload resolves its component once, not per page.
        for (ByteBuffer source : data.nioBuffers()) {
            while (source.hasRemaining()) {
                long pageIndex = position / PAGE_SIZE;
                int inPage = (int) (position % PAGE_SIZE);
                int count = Math.min(source.remaining(), PAGE_SIZE - inPage);
                AtomicReferenceArray<byte[]> group = group(pageIndex, true);
                byte[] page = pageForWrite(group, slot(pageIndex));
                source.get(page, inPage, count);
                // A concurrent zeroing may have dropped this page meanwhile: put it back.
                if (group.get(slot(pageIndex)) != page && group.compareAndSet(slot(pageIndex), null, page)) {
                    allocatedPages.incrementAndGet();
                }
                position += count;
            }
        }
        VarHandle.releaseFence();
    }

    private boolean isBulk(long length) {
        return bulkCopies != null && length >= BULK_COPY_BYTES;
    }

    @Override
    public CompletableFuture<Void> flush() {
        return DONE;
    }

    @Override
    public CompletableFuture<Void> trim(long offset, long length, boolean fua) {
        return writeZeroes(offset, length, fua);
    }

    @Override
    public CompletableFuture<Void> writeZeroes(long offset, long length, boolean fua) {
        try {
            checkWritable();
            checkRange(offset, length);
        } catch (BlockDeviceException e) {
            return CompletableFuture.failedFuture(e);
        }
        long end = offset + length;
        long position = offset;
        while (position < end) {
            long pageIndex = position / PAGE_SIZE;
            int inPage = (int) (position % PAGE_SIZE);
            long pageEnd = (pageIndex + 1) * PAGE_SIZE;
            if (inPage == 0 && pageEnd <= end) {
                // Whole pages become holes; skip straight over runs that are holes already.
                long lastWhole = end / PAGE_SIZE;
                dropPages(pageIndex, lastWhole);
                position = lastWhole * PAGE_SIZE;
                continue;
            }
            int count = (int) (Math.min(end, pageEnd) - position);
            byte[] page = page(pageIndex);
            if (page != null) {
                Arrays.fill(page, inPage, inPage + count, (byte) 0);
            }
            position += count;
        }
        VarHandle.releaseFence();
        return DONE;
    }

    @Override
    public CompletableFuture<List<AllocationExtent>> allocation(long offset, long length) {
        try {
            checkRange(offset, length);
        } catch (BlockDeviceException e) {
            return CompletableFuture.failedFuture(e);
        }
        if (isBulk(length)) {
            return CompletableFuture.supplyAsync(() -> scanAllocation(offset, length), bulkCopies);
        }
        return CompletableFuture.completedFuture(scanAllocation(offset, length));
    }

    private List<AllocationExtent> scanAllocation(long offset, long length) {
        List<AllocationExtent> extents = new ArrayList<>();
        long end = offset + length;
        long position = offset;
        long scanned = 0;
        while (position < end && extents.size() < MAX_EXTENTS_PER_CALL && scanned < MAX_PAGES_SCANNED_PER_CALL) {
            long pageIndex = position / PAGE_SIZE;
            boolean allocated = page(pageIndex) != null;
            long next = pageIndex + 1;
            long lastPage = (end - 1) / PAGE_SIZE;
            while (next <= lastPage && scanned < MAX_PAGES_SCANNED_PER_CALL) {
                if (!allocated && group(next, false) == null) {
                    // A whole group without pages: skip it in one step.
                    next = ((next >>> GROUP_SHIFT) + 1) << GROUP_SHIFT;
                    continue;
                }
                if ((page(next) != null) != allocated) {
                    break;
                }
                next++;
                scanned++;
            }
            long runEnd = Math.min(next * PAGE_SIZE, end);
            extents.add(allocated ? AllocationExtent.data(runEnd - position) : AllocationExtent.sparse(runEnd - position));
            position = runEnd;
        }
        return extents;
    }

    private byte[] page(long pageIndex) {
        AtomicReferenceArray<byte[]> group = group(pageIndex, false);
        return group == null ? null : group.get(slot(pageIndex));
    }

    private byte[] pageForWrite(AtomicReferenceArray<byte[]> group, int slot) {
        while (true) {
            byte[] page = group.get(slot);
            if (page != null) {
                return page;
            }
            byte[] fresh = new byte[PAGE_SIZE];
            if (group.compareAndSet(slot, null, fresh)) {
                allocatedPages.incrementAndGet();
                return fresh;
            }
        }
    }

    private AtomicReferenceArray<byte[]> group(long pageIndex, boolean create) {
        int index = (int) (pageIndex >>> GROUP_SHIFT);
        AtomicReferenceArray<byte[]> group = groups.get(index);
        if (group == null && create) {
            groups.compareAndSet(index, null, new AtomicReferenceArray<>(GROUP_PAGES));
            group = groups.get(index);
        }
        return group;
    }

    private static int slot(long pageIndex) {
        return (int) (pageIndex & (GROUP_PAGES - 1));
    }

    /** Drops whole pages [from, to), skipping groups that hold none. */
    private void dropPages(long from, long to) {
        long pageIndex = from;
        while (pageIndex < to) {
            AtomicReferenceArray<byte[]> group = group(pageIndex, false);
            long groupEnd = Math.min(to, ((pageIndex >>> GROUP_SHIFT) + 1) << GROUP_SHIFT);
            if (group != null) {
                for (long index = pageIndex; index < groupEnd; index++) {
                    if (group.getAndSet(slot(index), null) != null) {
                        allocatedPages.decrementAndGet();
                    }
                }
            }
            pageIndex = groupEnd;
        }
    }

    private void checkWritable() {
        if (readOnly) {
            throw new BlockDeviceException(BlockError.EPERM, "device is read-only");
        }
    }

    private void checkRange(long offset, long length) {
        if (offset < 0 || length < 0 || offset > sizeBytes || length > sizeBytes - offset) {
            throw new BlockDeviceException(BlockError.EINVAL,
                    "range [" + offset + ", +" + length + ") outside device of " + sizeBytes + " bytes");
        }
    }
}
