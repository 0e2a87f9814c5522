package io.ledgerdisk.chunk.compaction;

import io.ledgerdisk.journal.record.LogRecord;
import io.ledgerdisk.journal.record.RecordType;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/** A volume as a plain byte array, and random records applied to it: the oracle for fold tests. */
final class VolumeModel {
    final long volumeId;
    final byte[] bytes;
    private long sequence;

    VolumeModel(long volumeId, int size) {
        this.volumeId = volumeId;
        this.bytes = new byte[size];
    }

    long sequence() {
        return sequence;
    }

    /** {@code count} random records (aligned, sector-aligned and byte-unaligned writes, zeros, trims). */
    List<LogRecord> randomRecords(Random random, int count) {
        List<LogRecord> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int kind = random.nextInt(10);
            int granularity = switch (random.nextInt(3)) {
                case 0 -> 4096;
                case 1 -> 512;
                default -> 1;
            };
            int offset = random.nextInt(bytes.length / granularity) * granularity;
            int maxLength = Math.min(bytes.length - offset, 48 * 1024);
            int length = Math.max(granularity, random.nextInt(maxLength + 1) / granularity * granularity);
            length = Math.min(length, bytes.length - offset);
            out.add(kind < 8 ? write(offset, randomData(random, length)) : zero(offset, length,
                    kind == 8 ? RecordType.ZERO : RecordType.TRIM));
        }
        return out;
    }

    LogRecord write(long offset, byte[] data) {
        System.arraycopy(data, 0, bytes, (int) offset, data.length);
        return new LogRecord(volumeId, ++sequence, sequence, RecordType.WRITE, offset, data.length,
                Unpooled.wrappedBuffer(data));
    }

    LogRecord zero(long offset, long length, RecordType type) {
        Arrays.fill(bytes, (int) offset, (int) (offset + length), (byte) 0);
        return new LogRecord(volumeId, ++sequence, sequence, type, offset, length, Unpooled.EMPTY_BUFFER);
    }

    static byte[] randomData(Random random, int length) {
        byte[] data = new byte[length];
        // Half of the writes are text-like and compress, half are random.
        if (random.nextBoolean()) {
            random.nextBytes(data);
        } else {
            byte v = (byte) random.nextInt();
            for (int i = 0; i < length; i++) {
                data[i] = (byte) (v + (i / 64));
            }
        }
        return data;
    }
}
