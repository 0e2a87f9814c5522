package io.ledgerdisk.appliance.volume;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ledgerdisk.nbd.device.AllocationExtent;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class MemtableTest {

    private static byte[] filled(int length, int value) {
        byte[] bytes = new byte[length];
        Arrays.fill(bytes, (byte) value);
        return bytes;
    }

    private static byte[] read(Memtable memtable, long offset, int length) {
        ByteBuf buffer = Unpooled.buffer(length);
        buffer.setZero(0, length);
        memtable.read(offset, length, buffer, 0);
        byte[] bytes = new byte[length];
        buffer.getBytes(0, bytes);
        return bytes;
    }

    /** The memtable alone painted over holes, as the volume engine does with its layers. */
    private static List<AllocationExtent> allocation(Memtable memtable, long offset, long length) {
        AllocationPainter painter = new AllocationPainter(offset, length);
        memtable.forEachHeld(offset, length, painter::paint);
        return painter.extents();
    }

    @Test
    void unwrittenBytesReadAsZeros() {
        Memtable memtable = new Memtable();
        memtable.write(100, filled(10, 7), 1);
        byte[] got = read(memtable, 95, 20);
        byte[] expected = new byte[20];
        Arrays.fill(expected, 5, 15, (byte) 7);
        assertArrayEquals(expected, got);
    }

    @Test
    void newerWritesSplitOlderOnes() {
        Memtable memtable = new Memtable();
        memtable.write(0, filled(4096, 1), 1);
        memtable.write(1000, filled(100, 2), 2);
        byte[] got = read(memtable, 0, 4096);
        byte[] expected = filled(4096, 1);
        Arrays.fill(expected, 1000, 1100, (byte) 2);
        assertArrayEquals(expected, got);
        assertEquals(3, memtable.extentCount());
        assertEquals(4096, memtable.dataBytes());
    }

    @Test
    void anOlderRecordAppliedLateNeverHidesANewerOne() {
        Memtable memtable = new Memtable();
        memtable.write(1000, filled(100, 2), 2);
        memtable.write(0, filled(4096, 1), 1);
        byte[] expected = filled(4096, 1);
        Arrays.fill(expected, 1000, 1100, (byte) 2);
        assertArrayEquals(expected, read(memtable, 0, 4096));
    }

    @Test
    void zeroedRangesReadAsZerosAndAreHoles() {
        Memtable memtable = new Memtable();
        memtable.write(0, filled(8192, 9), 1);
        memtable.zero(4096, 4096, 2);
        byte[] expected = new byte[8192];
        Arrays.fill(expected, 0, 4096, (byte) 9);
        assertArrayEquals(expected, read(memtable, 0, 8192));
        assertEquals(List.of(new AllocationExtent(4096, false, false), new AllocationExtent(12288, true, true)),
                allocation(memtable, 0, 16384));
    }

    /** The memtable against a plain byte array, under random overlapping writes applied in random order. */
    @Test
    void agreesWithAFlatModelUnderRandomOverlappingWrites() {
        Random random = new Random(42);
        int size = 1 << 16;
        byte[] model = new byte[size];
        long[] newest = new long[size];
        Memtable memtable = new Memtable();
        for (int op = 1; op <= 2000; op++) {
            int offset = random.nextInt(size - 1);
            int length = 1 + random.nextInt(Math.min(4096, size - offset));
            // Apply sequences slightly out of order, as concurrent completions may.
            long sequence = op + random.nextInt(5);
            boolean zero = random.nextInt(10) == 0;
            byte[] data = new byte[length];
            random.nextBytes(data);
            if (zero) {
                memtable.zero(offset, length, sequence);
            } else {
                memtable.write(offset, data, sequence);
            }
            for (int i = 0; i < length; i++) {
                if (sequence >= newest[offset + i]) {
                    newest[offset + i] = sequence;
                    model[offset + i] = zero ? 0 : data[i];
                }
            }
        }
        assertArrayEquals(model, read(memtable, 0, size));
        long allocated = allocation(memtable, 0, size).stream().mapToLong(AllocationExtent::length).sum();
        assertEquals(size, allocated);
    }
}
