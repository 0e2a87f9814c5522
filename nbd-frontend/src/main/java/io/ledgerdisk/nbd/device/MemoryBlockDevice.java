package io.ledgerdisk.nbd.device;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * A RAM-backed, sparse {@link BlockDevice} for tests and benchmarks. Thread-safe; every call completes
 * before it returns.
 *
 * <p>Storage is a map of fixed-size pages; a page that was never written, or was trimmed or zeroed as a
 * whole, is absent and reported by {@link #allocation} as a hole that reads as zeroes. Each page is
 * guarded by its own monitor, which also publishes writes to readers on other threads, so flushed writes
 * are visible on every connection (the {@code NBD_FLAG_CAN_MULTI_CONN} promise).
 */
public final class MemoryBlockDevice implements BlockDevice {

    /** Page size: the granularity of allocation and holes. */
    public static final int PAGE_SIZE = 4096;

    /** The most extents one {@link #allocation} call returns; callers ask again for the rest. */
    static final int MAX_EXTENTS_PER_CALL = 4096;
    /** The most allocated pages one {@link #allocation} call walks (1 GiB), so a query stays cheap. */
    static final int MAX_PAGES_SCANNED_PER_CALL = 262_144;

    private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);

    private final long sizeBytes;
    private final boolean readOnly;
    private final ConcurrentNavigableMap<Long, byte[]> pages = new ConcurrentSkipListMap<>();

    /** A writable device of the given size. */
    public MemoryBlockDevice(long sizeBytes) {
        this(sizeBytes, false);
    }

    public MemoryBlockDevice(long sizeBytes, boolean readOnly) {
        if (sizeBytes < 0) {
            throw new IllegalArgumentException("device size must not be negative, was " + sizeBytes);
        }
        this.sizeBytes = sizeBytes;
        this.readOnly = readOnly;
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
        return (long) pages.size() * PAGE_SIZE;
    }

    @Override
    public CompletableFuture<ByteBuf> read(long offset, int length) {
        try {
            checkRange(offset, length);
        } catch (BlockDeviceException e) {
            return CompletableFuture.failedFuture(e);
        }
        ByteBuf out = ByteBufAllocator.DEFAULT.buffer(length, length);
        long position = offset;
        int remaining = length;
        while (remaining > 0) {
            long pageIndex = position / PAGE_SIZE;
            int inPage = (int) (position % PAGE_SIZE);
            int count = Math.min(remaining, PAGE_SIZE - inPage);
            byte[] page = pages.get(pageIndex);
            if (page == null) {
                out.writeZero(count);
            } else {
                synchronized (page) {
                    out.writeBytes(page, inPage, count);
                }
            }
            position += count;
            remaining -= count;
        }
        return CompletableFuture.completedFuture(out);
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
        int source = data.readerIndex();
        long position = offset;
        int remaining = length;
        while (remaining > 0) {
            long pageIndex = position / PAGE_SIZE;
            int inPage = (int) (position % PAGE_SIZE);
            int count = Math.min(remaining, PAGE_SIZE - inPage);
            byte[] page = pages.computeIfAbsent(pageIndex, index -> new byte[PAGE_SIZE]);
            synchronized (page) {
                data.getBytes(source, page, inPage, count);
                // A concurrent zeroing may have dropped this page while we waited: put it back.
                pages.putIfAbsent(pageIndex, page);
            }
            source += count;
            position += count;
            remaining -= count;
        }
        return DONE;
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
                pages.subMap(pageIndex, lastWhole).clear();
                position = lastWhole * PAGE_SIZE;
                continue;
            }
            int count = (int) (Math.min(end, pageEnd) - position);
            byte[] page = pages.get(pageIndex);
            if (page != null) {
                synchronized (page) {
                    Arrays.fill(page, inPage, inPage + count, (byte) 0);
                }
            }
            position += count;
        }
        return DONE;
    }

    @Override
    public CompletableFuture<List<AllocationExtent>> allocation(long offset, long length) {
        try {
            checkRange(offset, length);
        } catch (BlockDeviceException e) {
            return CompletableFuture.failedFuture(e);
        }
        List<AllocationExtent> extents = new ArrayList<>();
        long end = offset + length;
        long position = offset;
        long scanned = 0;
        while (position < end && extents.size() < MAX_EXTENTS_PER_CALL && scanned < MAX_PAGES_SCANNED_PER_CALL) {
            long pageIndex = position / PAGE_SIZE;
            boolean allocated = pages.containsKey(pageIndex);
            long runEnd;
            if (allocated) {
                long next = pageIndex + 1;
                while (next * PAGE_SIZE < end && scanned < MAX_PAGES_SCANNED_PER_CALL && pages.containsKey(next)) {
                    next++;
                    scanned++;
                }
                runEnd = next * PAGE_SIZE;
            } else {
                Map.Entry<Long, byte[]> nextPage = pages.ceilingEntry(pageIndex);
                runEnd = nextPage == null ? end : nextPage.getKey() * PAGE_SIZE;
            }
            runEnd = Math.min(runEnd, end);
            extents.add(allocated ? AllocationExtent.data(runEnd - position) : AllocationExtent.sparse(runEnd - position));
            position = runEnd;
        }
        return CompletableFuture.completedFuture(extents);
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
