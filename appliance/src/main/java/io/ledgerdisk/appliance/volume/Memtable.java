package io.ledgerdisk.appliance.volume;

import io.ledgerdisk.journal.record.LogRecord;
import io.ledgerdisk.journal.record.RecordType;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The acknowledged writes of one volume that reads must see, as a byte-range map in which the
 * newest sequence number wins.
 *
 * <p>Ranges are kept as extents keyed by their start offset; they never overlap. Writing over
 * a range trims or splits the older extents beneath it. Because BookKeeper may complete two
 * appends on different threads in an order the caller observes differently, every insert
 * carries its sequence number and never replaces bytes of a newer record.
 *
 * <p>Thread-safe: every method is synchronized; none blocks on I/O.
 */
public final class Memtable {

    /** A run of bytes [start, start + length) from record {@code sequence}; {@code data == null} means zeros. */
    private record Extent(long start, long length, long sequence, byte[] data, int dataOffset) {
        long end() {
            return start + length;
        }

        Extent slice(long from, long to) {
            return new Extent(from, to - from, sequence, data, data == null ? 0 : dataOffset + (int) (from - start));
        }
    }

    private final TreeMap<Long, Extent> extents = new TreeMap<>();
    private long dataBytes;

    /** Records that [offset, offset + data.length) holds {@code data} as of {@code sequence}; keeps {@code data}. */
    public synchronized void write(long offset, byte[] data, long sequence) {
        if (data.length > 0) {
            insert(new Extent(offset, data.length, sequence, data, 0));
        }
    }

    /** Records that [offset, offset + length) reads as zeros as of {@code sequence} (trim or write-zeroes). */
    public synchronized void zero(long offset, long length, long sequence) {
        if (length > 0) {
            insert(new Extent(offset, length, sequence, null, 0));
        }
    }

    /**
     * Copies what the memtable holds of [offset, offset + length) into {@code target} at
     * {@code targetIndex}; bytes it does not hold are left as they are (the caller zero-fills).
     */
    public synchronized void read(long offset, int length, ByteBuf target, int targetIndex) {
        long end = offset + length;
        for (Extent e : overlapping(offset, end)) {
            long from = Math.max(offset, e.start());
            long to = Math.min(end, e.end());
            int at = targetIndex + (int) (from - offset);
            if (e.data() == null) {
                target.setZero(at, (int) (to - from));
            } else {
                target.setBytes(at, e.data(), e.dataOffset() + (int) (from - e.start()), (int) (to - from));
            }
        }
    }

    /**
     * Visits the ranges the memtable holds inside [offset, offset + length), clipped, in address
     * order: {@code zero} is true for trimmed or zeroed ranges. Ranges it does not hold are not
     * visited (a layer below decides them).
     */
    public synchronized void forEachHeld(long offset, long length, HeldRangeVisitor visitor) {
        long end = offset + length;
        for (Extent e : overlapping(offset, end)) {
            visitor.visit(Math.max(offset, e.start()), Math.min(end, e.end()), e.data() == null);
        }
    }

    /** Receives the ranges {@link #forEachHeld} visits. */
    @FunctionalInterface
    public interface HeldRangeVisitor {
        void visit(long start, long end, boolean zero);
    }

    /**
     * The memtable as log records, one per extent, for the fold: extents never overlap, so their
     * order does not matter, and each keeps the sequence number of the write it came from.
     * Payloads are views of the memtable's arrays (no copy); the timestamp is not kept here (0).
     */
    public synchronized List<LogRecord> records(long volumeId) {
        List<LogRecord> records = new ArrayList<>(extents.size());
        for (Extent e : extents.values()) {
            records.add(e.data() == null
                    ? new LogRecord(volumeId, e.sequence(), 0, RecordType.ZERO, e.start(), e.length(), Unpooled.EMPTY_BUFFER)
                    : new LogRecord(volumeId, e.sequence(), 0, RecordType.WRITE, e.start(), e.length(),
                            Unpooled.wrappedBuffer(e.data(), e.dataOffset(), (int) e.length())));
        }
        return records;
    }

    /** Whether the memtable holds nothing. */
    public synchronized boolean isEmpty() {
        return extents.isEmpty();
    }

    /** The highest sequence number of any extent, 0 when empty. */
    public synchronized long maxSequence() {
        long max = 0;
        for (Extent e : extents.values()) {
            max = Math.max(max, e.sequence());
        }
        return max;
    }

    /** Bytes of write payload the memtable holds (zero ranges cost nothing). */
    public synchronized long dataBytes() {
        return dataBytes;
    }

    /** How many extents the map holds. */
    public synchronized int extentCount() {
        return extents.size();
    }

    /** Inserts the parts of {@code incoming} that no newer extent already covers. */
    private void insert(Extent incoming) {
        long cursor = incoming.start();
        List<Extent> uncovered = new ArrayList<>(1);
        for (Extent e : overlapping(incoming.start(), incoming.end())) {
            if (e.sequence() > incoming.sequence()) {
                if (e.start() > cursor) {
                    uncovered.add(incoming.slice(cursor, e.start()));
                }
                cursor = Math.max(cursor, e.end());
            }
        }
        if (cursor == incoming.start()) {
            overwrite(incoming);
            return;
        }
        if (cursor < incoming.end()) {
            uncovered.add(incoming.slice(cursor, incoming.end()));
        }
        uncovered.forEach(this::overwrite);
    }

    /** Puts {@code incoming} in the map, trimming or splitting whatever it overlaps. */
    private void overwrite(Extent incoming) {
        long start = incoming.start();
        long end = incoming.end();
        for (Extent old : overlapping(start, end)) {
            remove(old);
            if (old.start() < start) {
                put(old.slice(old.start(), start));
            }
            if (old.end() > end) {
                put(old.slice(end, old.end()));
            }
        }
        put(incoming);
    }

    private List<Extent> overlapping(long start, long end) {
        List<Extent> result = new ArrayList<>();
        Map.Entry<Long, Extent> floor = extents.floorEntry(start);
        if (floor != null && floor.getValue().end() > start) {
            result.add(floor.getValue());
        }
        result.addAll(extents.subMap(start, false, end, false).values());
        return result;
    }

    private void put(Extent e) {
        extents.put(e.start(), e);
        if (e.data() != null) {
            dataBytes += e.length();
        }
    }

    private void remove(Extent e) {
        extents.remove(e.start());
        if (e.data() != null) {
            dataBytes -= e.length();
        }
    }
}
