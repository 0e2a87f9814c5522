package io.ledgerdisk.nbd.device;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * A RAM-backed, sparse {@link BlockDevice} for tests and benchmarks. Thread-safe; every call completes
 * before it returns.
 *
 * <p>Storage is a two-level table of 64 KiB pages (a directory of 16 MiB groups, each an array of pages), so
 * finding a page costs two array loads and a 4 MiB request touches 64 pages. Holes keep the finer
 * {@link #BLOCK_SIZE} granularity: each page carries a bit per 4 KiB block that was written and not since
 * trimmed or zeroed as a whole. A cleared block's bytes are zero, so reads take pages as they are;
 * {@link #allocation} reports cleared blocks as holes, and a page whose last block is cleared is dropped.
 * A write ends with a release fence and a read starts with an acquire fence, so a write that completed
 * before a read began is visible to it on any thread: flushed writes are seen on every
 * connection (the {@code NBD_FLAG_CAN_MULTI_CONN} promise). Overlapping requests in flight at the same
 * time see each other's bytes in no defined order, as proto.md allows.
 *
 * <p>Every call does its work on the caller's thread, which for the NBD server is the connection's event
 * loop: a write payload is copied into the pages straight after the socket read that brought it in, while it
 * is still in that core's cache (handing 4 MiB writes to a copy thread cost 10% more CPU per write, from
 * /proc), and a read copies nothing: it answers read-only views of the pages.
 */
public final class MemoryBlockDevice implements BlockDevice {

    /** The granularity of allocation and holes. */
    public static final int BLOCK_SIZE = 4096;
    /** The unit of storage: one array of this many bytes per page written. */
    public static final int PAGE_SIZE = 64 * 1024;
    private static final int BLOCKS_PER_PAGE = PAGE_SIZE / BLOCK_SIZE;

    /** The most extents one {@link #allocation} call returns; callers ask again for the rest. */
    static final int MAX_EXTENTS_PER_CALL = 4096;
    /** The most allocated blocks one {@link #allocation} call walks (1 GiB), so a query stays cheap. */
    static final int MAX_BLOCKS_SCANNED_PER_CALL = 262_144;

    /** Pages per directory group: 256 pages of 64 KiB, 16 MiB. */
    private static final int GROUP_SHIFT = 8;
    private static final int GROUP_PAGES = 1 << GROUP_SHIFT;
    /** Directory entries allowed: 2^24 groups of 16 MiB, 256 TiB. */
    private static final long MAX_GROUPS = 1L << 24;

    /** Most page views one read answers with (a 32 MiB read needs 512); beyond it netty consolidates into a copy. */
    private static final int MAX_READ_VIEWS = 1024;
    private static final byte[] ZERO_FILL = new byte[PAGE_SIZE];
    private static final ByteBuffer ZERO_PAGE = ByteBuffer.allocateDirect(PAGE_SIZE).asReadOnlyBuffer();
    private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);

    private final long sizeBytes;
    private final boolean readOnly;
    private final AtomicReferenceArray<AtomicReferenceArray<Page>> groups;
    private final AtomicLong allocatedPages = new AtomicLong();

    /**
     * One page of storage and which of its blocks hold data. Writers and zeroing change a page under its
     * monitor; a page dropped from the table is marked so, and a writer that finds it so takes a fresh one.
     */
    private static final class Page {
        final ByteBuffer bytes = ByteBuffer.allocateDirect(PAGE_SIZE);
        /** Bit i: block i was written since it was last cleared. Changed under the monitor. */
        volatile long writtenBlocks;
        /** Set, under the monitor, when the page leaves the table. */
        boolean dropped;

        boolean holdsBlock(int block) {
            return (writtenBlocks >>> block & 1) != 0;
        }
    }

    /** A writable device of the given size. */
    public MemoryBlockDevice(long sizeBytes) {
        this(sizeBytes, false);
    }

    public MemoryBlockDevice(long sizeBytes, boolean readOnly) {
        if (sizeBytes < 0) {
            throw new IllegalArgumentException("device size must not be negative, was " + sizeBytes);
        }
        long groupCount = (sizeBytes + (long) PAGE_SIZE * GROUP_PAGES - 1) / ((long) PAGE_SIZE * GROUP_PAGES);
        if (groupCount > MAX_GROUPS) {
            throw new IllegalArgumentException("MemoryBlockDevice holds at most 256 TiB, asked for " + sizeBytes);
        }
        this.sizeBytes = sizeBytes;
        this.readOnly = readOnly;
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
        return CompletableFuture.completedFuture(views(offset, length));
    }

    /**
     * The bytes of [offset, offset + length) as read-only views of the pages (and of a shared page of zeroes
     * for pages never written), not copies: the reply goes from the pages to the socket. A write that lands
     * while such a reply is still queued may show in it; it overlaps the read in time, and proto.md leaves
     * the outcome of overlapping requests undefined.
     */
    private ByteBuf views(long offset, int length) {
        VarHandle.acquireFence();
        ByteBuffer[] pieces = new ByteBuffer[(int) ((offset + length - 1) / PAGE_SIZE - offset / PAGE_SIZE + 1)];
        long position = offset;
        for (int i = 0; i < pieces.length; i++) {
            long pageIndex = position / PAGE_SIZE;
            int inPage = (int) (position % PAGE_SIZE);
            int count = (int) Math.min(offset + length - position, PAGE_SIZE - inPage);
            Page page = page(pageIndex);
            pieces[i] = page == null
                    ? ZERO_PAGE.slice(inPage, count)
                    : page.bytes.slice(inPage, count).asReadOnlyBuffer();
            position += count;
        }
        return length == 0 ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(MAX_READ_VIEWS, pieces);
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
                AtomicReferenceArray<Page> group = group(pageIndex, true);
                long touched = blocks(inPage / BLOCK_SIZE, (inPage + count + BLOCK_SIZE - 1) / BLOCK_SIZE);
                while (!copyInto(pageForWrite(group, slot(pageIndex)), source, inPage, count, touched)) {
                    // The page was dropped by a concurrent zeroing: write into its successor.
                }
                position += count;
            }
        }
        VarHandle.releaseFence();
    }

    /** Copies {@code count} bytes of {@code source} into the page and marks the blocks written. */
    private static boolean copyInto(Page page, ByteBuffer source, int inPage, int count, long touched) {
        synchronized (page) {
            if (page.dropped) {
                return false;
            }
            page.bytes.put(inPage, source, source.position(), count);
            source.position(source.position() + count);
            if ((page.writtenBlocks & touched) != touched) {
                page.writtenBlocks |= touched;
            }
            return true;
        }
    }

    /** Yes: a piece is copied right after the socket read that brought it in, while still in cache. */
    @Override
    public boolean acceptsWritePieces() {
        return true;
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
            AtomicReferenceArray<Page> group = group(pageIndex, false);
            if (group == null) {
                // A group without pages: nothing to clear up to its end.
                position = Math.min(end, (((pageIndex >>> GROUP_SHIFT) + 1) << GROUP_SHIFT) * PAGE_SIZE);
                continue;
            }
            int inPage = (int) (position % PAGE_SIZE);
            int count = (int) Math.min(end - position, PAGE_SIZE - inPage);
            Page page = group.get(slot(pageIndex));
            if (page != null) {
                clear(group, slot(pageIndex), page, inPage, count);
            }
            position += count;
        }
        VarHandle.releaseFence();
        return DONE;
    }

    /**
     * Zeroes {@code count} bytes of a page and clears the blocks they cover as a whole; a page left without
     * written blocks leaves the table (its bytes need no zeroing: a reader then finds no page).
     */
    private void clear(AtomicReferenceArray<Page> group, int slot, Page page, int inPage, int count) {
        long whole = blocks((inPage + BLOCK_SIZE - 1) / BLOCK_SIZE, (inPage + count) / BLOCK_SIZE);
        synchronized (page) {
            if (page.dropped) {
                return;
            }
            long remaining = page.writtenBlocks & ~whole;
            if (remaining == 0) {
                page.dropped = true;
                if (group.compareAndSet(slot, page, null)) {
                    allocatedPages.decrementAndGet();
                }
                return;
            }
            page.bytes.put(inPage, ZERO_FILL, 0, count);
            page.writtenBlocks = remaining;
        }
    }

    @Override
    public CompletableFuture<List<AllocationExtent>> allocation(long offset, long length) {
        try {
            checkRange(offset, length);
        } catch (BlockDeviceException e) {
            return CompletableFuture.failedFuture(e);
        }
        return CompletableFuture.completedFuture(scanAllocation(offset, length));
    }

    private List<AllocationExtent> scanAllocation(long offset, long length) {
        List<AllocationExtent> extents = new ArrayList<>();
        long end = offset + length;
        long lastBlock = (end - 1) / BLOCK_SIZE;
        long position = offset;
        long scanned = 0;
        while (position < end && extents.size() < MAX_EXTENTS_PER_CALL && scanned < MAX_BLOCKS_SCANNED_PER_CALL) {
            long block = position / BLOCK_SIZE;
            boolean written = written(block);
            long next = block + 1;
            while (next <= lastBlock && scanned < MAX_BLOCKS_SCANNED_PER_CALL) {
                if (!written) {
                    long pastAbsent = pastAbsentStorage(next);
                    if (pastAbsent > next) {
                        next = pastAbsent;
                        continue;
                    }
                }
                if (written(next) != written) {
                    break;
                }
                next++;
                scanned++;
            }
            long runEnd = Math.min(next * BLOCK_SIZE, end);
            long run = runEnd - position;
            extents.add(written ? AllocationExtent.data(run) : AllocationExtent.sparse(run));
            position = runEnd;
        }
        return extents;
    }

    private boolean written(long block) {
        Page page = page(block / BLOCKS_PER_PAGE);
        return page != null && page.holdsBlock((int) (block % BLOCKS_PER_PAGE));
    }

    /** The first block after the absent group or page that holds {@code block}, or {@code block} itself. */
    private long pastAbsentStorage(long block) {
        long pageIndex = block / BLOCKS_PER_PAGE;
        AtomicReferenceArray<Page> group = group(pageIndex, false);
        if (group == null) {
            return (((pageIndex >>> GROUP_SHIFT) + 1) << GROUP_SHIFT) * BLOCKS_PER_PAGE;
        }
        return group.get(slot(pageIndex)) == null ? (pageIndex + 1) * BLOCKS_PER_PAGE : block;
    }

    private Page page(long pageIndex) {
        AtomicReferenceArray<Page> group = group(pageIndex, false);
        return group == null ? null : group.get(slot(pageIndex));
    }

    private Page pageForWrite(AtomicReferenceArray<Page> group, int slot) {
        while (true) {
            Page page = group.get(slot);
            if (page != null) {
                return page;
            }
            Page fresh = new Page();
            if (group.compareAndSet(slot, null, fresh)) {
                allocatedPages.incrementAndGet();
                return fresh;
            }
        }
    }

    private AtomicReferenceArray<Page> group(long pageIndex, boolean create) {
        int index = (int) (pageIndex >>> GROUP_SHIFT);
        AtomicReferenceArray<Page> group = groups.get(index);
        if (group == null && create) {
            groups.compareAndSet(index, null, new AtomicReferenceArray<>(GROUP_PAGES));
            group = groups.get(index);
        }
        return group;
    }

    private static int slot(long pageIndex) {
        return (int) (pageIndex & (GROUP_PAGES - 1));
    }

    /** The bit mask of a page's blocks [first, end); empty when end is not past first. */
    private static long blocks(int first, int end) {
        return end <= first ? 0 : (-1L >>> (Long.SIZE - (end - first))) << first;
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
