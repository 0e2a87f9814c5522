package io.ledgerdisk.journal.record;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * The bytes of one BookKeeper ledger entry written by a {@code VolumeLog}: the single place
 * that knows this layout. All integers are big-endian.
 *
 * <p>An entry is a header followed by one or more records (group commit puts several
 * concurrent appends into one entry):
 *
 * <pre>
 * Entry
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                       magic "LDJR" (0x4C444A52)               |  0
 *  +-------------------------------+-------------------------------+
 *  |        format version (1)     |        flags (0, reserved)    |  4
 *  +-------------------------------+-------------------------------+
 *  |                         record count (&gt;= 1)                  |  8
 *  +---------------------------------------------------------------+
 *  |                     record 0 ... record count-1              ...  12
 *  +---------------------------------------------------------------+
 *
 * Record (offsets relative to the record's first byte)
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------+-----------------------------------------------+
 *  |  type code    |               reserved (0)                    |  0
 *  +---------------+-----------------------------------------------+
 *  |                   CRC32C of the payload                       |  4
 *  +---------------------------------------------------------------+
 *  |                         volume id                             |  8
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                         sequence                              |  16
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |              timestamp, microseconds since epoch (UTC)        |  24
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                  offset in the volume (bytes)                 |  32
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                  length (bytes)                               |  40
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |   payload: length bytes for WRITE, none for ZERO and TRIM    ...  48
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * <p>The payload length is not stored: it follows from type and length, so a record cannot
 * claim one length and carry another. The CRC32C covers the payload only (an empty payload has
 * CRC 0); the whole entry is also protected in flight and at rest by BookKeeper's own entry
 * digest. The payload CRC travels with the data so that compaction can check it again and copy
 * it into chunk files without recomputing.
 *
 * <p>Changing the layout means a new format version; {@link #decode} refuses versions it does
 * not know rather than guessing.
 */
public final class LedgerRecordFormat {

    /** "LDJR": Ledgerdisk journal record entry. */
    public static final int MAGIC = 0x4C444A52;
    /** The only format version this code writes and reads. */
    public static final short VERSION = 1;

    public static final int MAGIC_OFFSET = 0;
    public static final int VERSION_OFFSET = 4;
    public static final int FLAGS_OFFSET = 6;
    public static final int RECORD_COUNT_OFFSET = 8;
    /** Bytes before the first record of an entry. */
    public static final int ENTRY_HEADER_LENGTH = 12;

    public static final int TYPE_OFFSET = 0;
    public static final int RESERVED_OFFSET = 1;
    public static final int RESERVED_LENGTH = 3;
    public static final int CRC_OFFSET = 4;
    public static final int VOLUME_ID_OFFSET = 8;
    public static final int SEQUENCE_OFFSET = 16;
    public static final int TIMESTAMP_OFFSET = 24;
    public static final int VOLUME_OFFSET_OFFSET = 32;
    public static final int LENGTH_OFFSET = 40;
    public static final int PAYLOAD_OFFSET = 48;
    /** Bytes of a record before its payload. */
    public static final int RECORD_HEADER_LENGTH = PAYLOAD_OFFSET;

    private LedgerRecordFormat() {
    }

    /** Bytes a record with {@code payloadLength} payload bytes occupies in an entry. */
    public static int recordLength(int payloadLength) {
        return RECORD_HEADER_LENGTH + payloadLength;
    }

    /** Bytes an entry holding {@code records} occupies. */
    public static int entryLength(List<LogRecord> records) {
        long total = ENTRY_HEADER_LENGTH;
        for (LogRecord r : records) {
            total += recordLength(r.payload().readableBytes());
        }
        if (total > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("entry of " + total + " bytes is too large");
        }
        return (int) total;
    }

    /** Encodes {@code records} (at least one) as one entry in a new buffer the caller owns. */
    public static ByteBuf encode(ByteBufAllocator allocator, List<LogRecord> records) {
        if (records.isEmpty()) {
            throw new IllegalArgumentException("an entry holds at least one record");
        }
        ByteBuf entry = allocator.buffer(entryLength(records));
        writeEntryHeader(entry, records.size());
        for (LogRecord r : records) {
            writeRecord(entry, r);
        }
        return entry;
    }

    /** Writes an entry header announcing {@code recordCount} records at the writer index. */
    public static void writeEntryHeader(ByteBuf dst, int recordCount) {
        if (recordCount < 1) {
            throw new IllegalArgumentException("record count must be at least 1, was " + recordCount);
        }
        dst.writeInt(MAGIC);
        dst.writeShort(VERSION);
        dst.writeShort(0);
        dst.writeInt(recordCount);
    }

    /** A new buffer holding just an entry header for {@code recordCount} records. */
    public static ByteBuf entryHeader(int recordCount) {
        ByteBuf header = Unpooled.buffer(ENTRY_HEADER_LENGTH, ENTRY_HEADER_LENGTH);
        writeEntryHeader(header, recordCount);
        return header;
    }

    /** Writes {@code record} at the writer index, computing the payload's CRC32C. */
    public static void writeRecord(ByteBuf dst, LogRecord record) {
        writeRecord(dst, record.type(), record.volumeId(), record.sequence(), record.timestampMicros(),
                record.offset(), record.length(), record.payload());
    }

    /**
     * Writes one record at the writer index, computing the payload's CRC32C. The payload's
     * reader index is not moved.
     */
    public static void writeRecord(ByteBuf dst, RecordType type, long volumeId, long sequence,
            long timestampMicros, long offset, long length, ByteBuf payload) {
        dst.writeByte(type.code());
        dst.writeZero(RESERVED_LENGTH);
        dst.writeInt(crc32c(payload));
        dst.writeLong(volumeId);
        dst.writeLong(sequence);
        dst.writeLong(timestampMicros);
        dst.writeLong(offset);
        dst.writeLong(length);
        dst.writeBytes(payload, payload.readerIndex(), payload.readableBytes());
    }

    /**
     * Sets the sequence and timestamp of the record that starts at {@code recordStart}; lets a
     * writer copy and checksum a payload before it takes the lock that orders sequence numbers.
     */
    public static void stampRecord(ByteBuf dst, int recordStart, long sequence, long timestampMicros) {
        dst.setLong(recordStart + SEQUENCE_OFFSET, sequence);
        dst.setLong(recordStart + TIMESTAMP_OFFSET, timestampMicros);
    }

    /** CRC32C (Castagnoli) of the readable bytes of {@code payload}; 0 for an empty payload. */
    public static int crc32c(ByteBuf payload) {
        if (payload.readableBytes() == 0) {
            return 0;
        }
        CRC32C crc = new CRC32C();
        if (payload.hasArray()) {
            crc.update(payload.array(), payload.arrayOffset() + payload.readerIndex(), payload.readableBytes());
        } else {
            for (ByteBuffer b : payload.nioBuffers(payload.readerIndex(), payload.readableBytes())) {
                crc.update(b);
            }
        }
        return (int) crc.getValue();
    }

    /**
     * Decodes every record of an entry, checking magic, version, bounds and each payload's
     * CRC32C. The records' payloads are slices of {@code entry}: valid while it is. The entry's
     * indexes are not moved.
     *
     * @param ledgerId the ledger the entry came from, for the error message
     * @param entryId the entry's id, for the error message
     * @throws CorruptEntryException if anything does not match
     */
    public static List<LogRecord> decode(long ledgerId, long entryId, ByteBuf entry) {
        int start = entry.readerIndex();
        int end = entry.writerIndex();
        if (end - start < ENTRY_HEADER_LENGTH) {
            throw new CorruptEntryException(ledgerId, entryId,
                    "only " + (end - start) + " bytes, shorter than the " + ENTRY_HEADER_LENGTH + "-byte header");
        }
        int magic = entry.getInt(start + MAGIC_OFFSET);
        if (magic != MAGIC) {
            throw new CorruptEntryException(ledgerId, entryId,
                    String.format("magic 0x%08X, expected 0x%08X", magic, MAGIC));
        }
        short version = entry.getShort(start + VERSION_OFFSET);
        if (version != VERSION) {
            throw new CorruptEntryException(ledgerId, entryId,
                    "format version " + version + ", this build reads only version " + VERSION);
        }
        int count = entry.getInt(start + RECORD_COUNT_OFFSET);
        if (count < 1) {
            throw new CorruptEntryException(ledgerId, entryId, "record count " + count);
        }
        List<LogRecord> records = new ArrayList<>(Math.min(count, 1024));
        int position = start + ENTRY_HEADER_LENGTH;
        for (int i = 0; i < count; i++) {
            if (end - position < RECORD_HEADER_LENGTH) {
                throw new CorruptEntryException(ledgerId, entryId,
                        "record " + i + " of " + count + " is truncated in its header");
            }
            RecordType type;
            try {
                type = RecordType.fromCode(entry.getByte(position + TYPE_OFFSET));
            } catch (IllegalArgumentException e) {
                throw new CorruptEntryException(ledgerId, entryId, "record " + i + ": " + e.getMessage());
            }
            int storedCrc = entry.getInt(position + CRC_OFFSET);
            long volumeId = entry.getLong(position + VOLUME_ID_OFFSET);
            long sequence = entry.getLong(position + SEQUENCE_OFFSET);
            long timestamp = entry.getLong(position + TIMESTAMP_OFFSET);
            long offset = entry.getLong(position + VOLUME_OFFSET_OFFSET);
            long length = entry.getLong(position + LENGTH_OFFSET);
            if (offset < 0 || length < 0) {
                throw new CorruptEntryException(ledgerId, entryId, "record " + i + " (sequence " + sequence
                        + ") has negative offset " + offset + " or length " + length);
            }
            long payloadLength = type.hasPayload() ? length : 0;
            int payloadStart = position + RECORD_HEADER_LENGTH;
            if (payloadLength > end - payloadStart) {
                throw new CorruptEntryException(ledgerId, entryId, "record " + i + " (sequence " + sequence
                        + ") claims " + payloadLength + " payload bytes, only " + (end - payloadStart) + " left");
            }
            ByteBuf payload = entry.slice(payloadStart, (int) payloadLength);
            int actualCrc = crc32c(payload);
            if (actualCrc != storedCrc) {
                throw new CorruptEntryException(ledgerId, entryId, String.format(
                        "CRC32C mismatch in record %d (sequence %d): stored 0x%08X, computed 0x%08X",
                        i, sequence, storedCrc, actualCrc));
            }
            records.add(new LogRecord(volumeId, sequence, timestamp, type, offset, length, payload));
            position = payloadStart + (int) payloadLength;
        }
        if (position != end) {
            throw new CorruptEntryException(ledgerId, entryId,
                    (end - position) + " bytes follow the last of " + count + " records");
        }
        return records;
    }
}
