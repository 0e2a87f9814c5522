package io.ledgerdisk.nbd.device;

import static org.junit.jupiter.api.Assertions.*;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.util.List;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

class MemoryBlockDeviceTest {

    /** The hole granularity, named PAGE here as the tests read better that way. */
    private static final int PAGE = MemoryBlockDevice.BLOCK_SIZE;

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
    void blocksOfOneStoragePageBecomeHolesOneByOneAndThePageGoesWithTheLast() {
        int storagePage = MemoryBlockDevice.PAGE_SIZE;
        MemoryBlockDevice device = new MemoryBlockDevice(2L * storagePage);
        device.write(0, Unpooled.wrappedBuffer(filled(storagePage)), false).join();
        device.trim(PAGE, PAGE, false).join();
        device.writeZeroes(3 * PAGE, storagePage - 3 * PAGE, false).join();
        assertEquals(List.of(AllocationExtent.data(PAGE), AllocationExtent.sparse(PAGE), AllocationExtent.data(PAGE),
                        AllocationExtent.sparse(storagePage - 3L * PAGE + storagePage)),
                device.allocation(0, 2L * storagePage).join());
        ByteBuf back = device.read(0, storagePage).join();
        assertEquals(1, back.getByte(PAGE - 1));
        assertEquals(0, back.getByte(PAGE), "a trimmed block reads as zeroes");
        assertEquals(1, back.getByte(2 * PAGE));
        assertEquals(0, back.getByte(storagePage - 1));
        back.release();
        assertEquals(storagePage, device.allocatedBytes());
        device.trim(0, PAGE, false).join();
        device.writeZeroes(2 * PAGE, PAGE, false).join();
        assertEquals(0, device.allocatedBytes(), "the page goes once none of its blocks holds data");
        assertEquals(List.of(AllocationExtent.sparse(2L * storagePage)), device.allocation(0, 2L * storagePage).join());
    }

    @Test
    void writesToOneBlockSurviveZeroingOfTheOthersInTheSamePage() throws Exception {
        MemoryBlockDevice device = new MemoryBlockDevice(MemoryBlockDevice.PAGE_SIZE);
        int rounds = 20_000;
        Thread zeroing = new Thread(() -> {
            for (int i = 0; i < rounds; i++) {
                device.trim(PAGE, MemoryBlockDevice.PAGE_SIZE - PAGE, false).join();
            }
        });
        zeroing.start();
        for (int i = 0; i < rounds; i++) {
            byte value = (byte) (i % 250 + 1);
            byte[] block = new byte[PAGE];
            java.util.Arrays.fill(block, value);
            // Block 1 alone may hold the page up when block 0 is written: the zeroing can drop the page
            // under the write, which must then land in a fresh page.
            device.write(PAGE, Unpooled.wrappedBuffer(block), false).join();
            device.trim(0, PAGE, false).join();
            device.write(0, Unpooled.wrappedBuffer(block), false).join();
            ByteBuf back = device.read(0, PAGE).join();
            assertEquals(value, back.getByte(0), "round " + i);
            assertEquals(value, back.getByte(PAGE - 1), "round " + i);
            back.release();
        }
        zeroing.join();
        assertEquals(AllocationExtent.data(PAGE), device.allocation(0, PAGE).join().get(0));
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
        assertEquals(3L * MemoryBlockDevice.PAGE_SIZE, device.allocatedBytes(), "three storage pages");
        assertEquals(List.of(AllocationExtent.sparse(group - PAGE), AllocationExtent.data(2 * PAGE),
                        AllocationExtent.sparse(39 * group - PAGE), AllocationExtent.data(PAGE),
                        AllocationExtent.sparse(24 * group - PAGE)),
                device.allocation(0, 64 * group).join());
        device.writeZeroes(0, 64 * group, false).join();
        assertEquals(0, device.allocatedBytes());
        assertEquals(List.of(AllocationExtent.sparse(64 * group)), device.allocation(0, 64 * group).join());
    }

    @Test
    void readsSpanningManyPagesAreViewsThatCannotBeWrittenThrough() {
        int storagePage = MemoryBlockDevice.PAGE_SIZE;
        MemoryBlockDevice device = new MemoryBlockDevice(8L * storagePage);
        byte[] bytes = new byte[3 * storagePage];
        new java.util.Random(7).nextBytes(bytes);
        device.write(2L * storagePage + 3, Unpooled.wrappedBuffer(bytes), false).join();

        ByteBuf read = device.read(storagePage, 5 * storagePage).join();
        byte[] expected = new byte[5 * storagePage];
        System.arraycopy(bytes, 0, expected, storagePage + 3, bytes.length);
        assertArrayEquals(expected, ByteBufUtil.getBytes(read), "written pages, and zeroes around them");
        assertThrows(java.nio.ReadOnlyBufferException.class, () -> read.setByte(storagePage + 3, 0));
        read.release();
        ByteBuf again = device.read(2L * storagePage + 3, 1).join();
        assertEquals(bytes[0], again.getByte(0), "a reply buffer cannot change the device");
        again.release();
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
