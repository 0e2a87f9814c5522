package io.ledgerdisk.nbd.device;

import static org.junit.jupiter.api.Assertions.*;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

class MemoryBlockDeviceTest {

    private static final int PAGE = MemoryBlockDevice.PAGE_SIZE;

    @Test
    void unwrittenRangesReadAsZeroesAndAreHoles() {
        MemoryBlockDevice device = new MemoryBlockDevice(10 * PAGE);
        ByteBuf data = device.read(100, 5000).join();
        assertArrayEquals(new byte[5000], ByteBufUtil.getBytes(data));
        data.release();
        assertEquals(List.of(AllocationExtent.sparse(10 * PAGE)), device.allocation(0, 10 * PAGE).join());
        assertEquals(0, device.allocatedBytes());
    }

    @Test
    void unalignedWriteSpanningPagesReadsBack() {
        MemoryBlockDevice device = new MemoryBlockDevice(10 * PAGE);
        byte[] bytes = new byte[PAGE + 10];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) (i * 7 + 1);
        }
        device.write(PAGE - 5, Unpooled.wrappedBuffer(bytes), false).join();
        ByteBuf back = device.read(PAGE - 5, bytes.length).join();
        assertArrayEquals(bytes, ByteBufUtil.getBytes(back));
        back.release();
        assertEquals(List.of(AllocationExtent.data(3 * PAGE), AllocationExtent.sparse(7 * PAGE)),
                device.allocation(0, 10 * PAGE).join());
    }

    @Test
    void zeroingWholePagesMakesHolesAndPartialPagesZeroes() {
        MemoryBlockDevice device = new MemoryBlockDevice(4 * PAGE);
        device.write(0, Unpooled.wrappedBuffer(filled(4 * PAGE)), false).join();
        device.writeZeroes(PAGE + 1, 2 * PAGE - 1, false).join();
        assertEquals(List.of(AllocationExtent.data(2 * PAGE), AllocationExtent.sparse(PAGE), AllocationExtent.data(PAGE)),
                device.allocation(0, 4 * PAGE).join());
        ByteBuf back = device.read(PAGE, PAGE).join();
        assertEquals(1, back.getByte(0));
        assertEquals(0, back.getByte(1));
        assertEquals(0, back.getByte(PAGE - 1));
        back.release();
        device.trim(0, 4 * PAGE, false).join();
        assertEquals(0, device.allocatedBytes());
    }

    @Test
    void allocationStartsMidPageAndStopsAtTheRangeEnd() {
        MemoryBlockDevice device = new MemoryBlockDevice(4 * PAGE);
        device.write(2 * PAGE, Unpooled.wrappedBuffer(filled(PAGE)), false).join();
        assertEquals(List.of(AllocationExtent.sparse(PAGE - 10), AllocationExtent.data(100)),
                device.allocation(PAGE + 10, PAGE - 10 + 100).join());
    }

    @Test
    void allocationSpansPageGroupsAndSkipsEmptyOnes() {
        long group = 16L * 1024 * 1024;
        MemoryBlockDevice device = new MemoryBlockDevice(64 * group);
        // One page on each side of the first group boundary, one far away.
        device.write(group - PAGE, Unpooled.wrappedBuffer(filled(2 * PAGE)), false).join();
        device.write(40 * group, Unpooled.wrappedBuffer(filled(PAGE)), false).join();
        assertEquals(3L * PAGE, device.allocatedBytes());
        assertEquals(List.of(AllocationExtent.sparse(group - PAGE), AllocationExtent.data(2 * PAGE),
                        AllocationExtent.sparse(39 * group - PAGE), AllocationExtent.data(PAGE),
                        AllocationExtent.sparse(24 * group - PAGE)),
                device.allocation(0, 64 * group).join());
        device.writeZeroes(0, 64 * group, false).join();
        assertEquals(0, device.allocatedBytes());
        assertEquals(List.of(AllocationExtent.sparse(64 * group)), device.allocation(0, 64 * group).join());
    }

    @Test
    void largeRequestsCopyOnTheCopyExecutorAndSmallOnesInline() {
        List<Runnable> queued = new ArrayList<>();
        MemoryBlockDevice device = new MemoryBlockDevice(4 * MemoryBlockDevice.BULK_COPY_BYTES, false, queued::add);
        int bulk = MemoryBlockDevice.BULK_COPY_BYTES;
        byte[] bytes = new byte[bulk + 100];
        new java.util.Random(7).nextBytes(bytes);

        CompletableFuture<Void> write = device.write(PAGE + 3, Unpooled.wrappedBuffer(bytes), false);
        assertFalse(write.isDone(), "a bulk write waits for the copy executor");
        assertEquals(1, queued.size());
        queued.remove(0).run();
        write.join();

        CompletableFuture<ByteBuf> read = device.read(PAGE + 3, bytes.length);
        CompletableFuture<List<AllocationExtent>> allocation = device.allocation(0, 2L * bulk);
        assertEquals(2, queued.size());
        queued.forEach(Runnable::run);
        queued.clear();
        ByteBuf data = read.join();
        assertArrayEquals(bytes, ByteBufUtil.getBytes(data));
        data.release();
        long writtenEnd = (PAGE + 3 + bytes.length + PAGE - 1) / PAGE * PAGE;
        assertEquals(List.of(AllocationExtent.sparse(PAGE), AllocationExtent.data(writtenEnd - PAGE),
                        AllocationExtent.sparse(2L * bulk - writtenEnd)),
                allocation.join());

        ByteBuf small = device.read(PAGE, PAGE).join();
        assertEquals(0, small.getByte(0));
        assertEquals(bytes[0], small.getByte(3));
        small.release();
        assertTrue(queued.isEmpty(), "small requests never touch the copy executor");
    }

    @Test
    void readOnlyAndOutOfRangeCallsFailWithTheirErrors() {
        MemoryBlockDevice readOnly = new MemoryBlockDevice(PAGE, true);
        CompletionException denied = assertThrows(CompletionException.class,
                () -> readOnly.write(0, Unpooled.wrappedBuffer(new byte[1]), false).join());
        assertEquals(BlockError.EPERM, ((BlockDeviceException) denied.getCause()).error());
        CompletionException outside = assertThrows(CompletionException.class, () -> readOnly.read(PAGE - 1, 2).join());
        assertEquals(BlockError.EINVAL, ((BlockDeviceException) outside.getCause()).error());
    }

    private static byte[] filled(int length) {
        byte[] bytes = new byte[length];
        java.util.Arrays.fill(bytes, (byte) 1);
        return bytes;
    }
}
