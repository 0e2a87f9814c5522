package io.ledgerdisk.journal.record;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.util.List;
import java.util.Random;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LedgerRecordFormatTest {
    private static final long LEDGER = 42;
    private static final long ENTRY = 7;

    private ByteBuf entry;

    @AfterEach
    void release() {
        if (entry != null && entry.refCnt() > 0) {
            entry.release();
        }
    }

    @Test
    void roundTripsEveryRecordTypeInOneEntry() {
        byte[] data = new byte[4096];
        new Random(1).nextBytes(data);
        ByteBuf direct = ByteBufAllocator.DEFAULT.directBuffer(data.length).writeBytes(data);
        List<LogRecord> written = List.of(
                new LogRecord(9, 100, 1_700_000_000_000_000L, RecordType.WRITE, 8192, data.length,
                        Unpooled.wrappedBuffer(data)),
                new LogRecord(9, 101, 1_700_000_000_000_001L, RecordType.ZERO, 0, 1L << 40, Unpooled.EMPTY_BUFFER),
                new LogRecord(9, 102, 1_700_000_000_000_002L, RecordType.TRIM, 4096, 65536, Unpooled.EMPTY_BUFFER),
                new LogRecord(9, 103, 1_700_000_000_000_003L, RecordType.WRITE, 0, data.length, direct));
        try {
            entry = LedgerRecordFormat.encode(ByteBufAllocator.DEFAULT, written);
            assertEquals(LedgerRecordFormat.entryLength(written), entry.readableBytes());

            List<LogRecord> read = LedgerRecordFormat.decode(LEDGER, ENTRY, entry);

            assertEquals(written.size(), read.size());
            for (int i = 0; i < written.size(); i++) {
                LogRecord w = written.get(i);
                LogRecord r = read.get(i);
                assertEquals(w.volumeId(), r.volumeId());
                assertEquals(w.sequence(), r.sequence());
                assertEquals(w.timestampMicros(), r.timestampMicros());
                assertEquals(w.type(), r.type());
                assertEquals(w.offset(), r.offset());
                assertEquals(w.length(), r.length());
                assertArrayEquals(ByteBufUtil.getBytes(w.payload()), ByteBufUtil.getBytes(r.payload()));
            }
        } finally {
            direct.release();
        }
    }

    @Test
    void layoutMatchesTheDiagram() {
        byte[] data = {1, 2, 3};
        entry = LedgerRecordFormat.encode(ByteBufAllocator.DEFAULT,
                List.of(new LogRecord(5, 6, 7, RecordType.WRITE, 8, 3, Unpooled.wrappedBuffer(data))));
        int record = LedgerRecordFormat.ENTRY_HEADER_LENGTH;
        assertEquals(0x4C444A52, entry.getInt(LedgerRecordFormat.MAGIC_OFFSET));
        assertEquals(1, entry.getShort(LedgerRecordFormat.VERSION_OFFSET));
        assertEquals(0, entry.getShort(LedgerRecordFormat.FLAGS_OFFSET));
        assertEquals(1, entry.getInt(LedgerRecordFormat.RECORD_COUNT_OFFSET));
        assertEquals(RecordType.WRITE.code(), entry.getByte(record + LedgerRecordFormat.TYPE_OFFSET));
        CRC32C crc = new CRC32C();
        crc.update(data);
        assertEquals((int) crc.getValue(), entry.getInt(record + LedgerRecordFormat.CRC_OFFSET));
        assertEquals(5, entry.getLong(record + LedgerRecordFormat.VOLUME_ID_OFFSET));
        assertEquals(6, entry.getLong(record + LedgerRecordFormat.SEQUENCE_OFFSET));
        assertEquals(7, entry.getLong(record + LedgerRecordFormat.TIMESTAMP_OFFSET));
        assertEquals(8, entry.getLong(record + LedgerRecordFormat.VOLUME_OFFSET_OFFSET));
        assertEquals(3, entry.getLong(record + LedgerRecordFormat.LENGTH_OFFSET));
        assertEquals(2, entry.getByte(record + LedgerRecordFormat.PAYLOAD_OFFSET + 1));
        assertEquals(LedgerRecordFormat.ENTRY_HEADER_LENGTH + LedgerRecordFormat.recordLength(3), entry.readableBytes());
    }

    @Test
    void stampingSetsSequenceAndTimestampWithoutTouchingTheChecksum() {
        ByteBuf record = Unpooled.buffer();
        LedgerRecordFormat.writeRecord(record, RecordType.WRITE, 3, 0, 0, 512, 2, Unpooled.wrappedBuffer(new byte[] {9, 9}));
        LedgerRecordFormat.stampRecord(record, 0, 77, 88);
        entry = Unpooled.wrappedBuffer(LedgerRecordFormat.entryHeader(1), record);

        LogRecord read = LedgerRecordFormat.decode(LEDGER, ENTRY, entry).get(0);

        assertEquals(77, read.sequence());
        assertEquals(88, read.timestampMicros());
    }

    @Test
    void flippedPayloadBitIsReportedWithLedgerAndEntry() {
        entry = oneWrite();
        int payloadByte = LedgerRecordFormat.ENTRY_HEADER_LENGTH + LedgerRecordFormat.PAYLOAD_OFFSET + 10;
        entry.setByte(payloadByte, entry.getByte(payloadByte) ^ 0x10);

        CorruptEntryException e = assertThrows(CorruptEntryException.class,
                () -> LedgerRecordFormat.decode(LEDGER, ENTRY, entry));

        assertEquals(LEDGER, e.ledgerId());
        assertEquals(ENTRY, e.entryId());
        assertTrue(e.getMessage().contains("ledger 42 entry 7"), e.getMessage());
        assertTrue(e.getMessage().contains("CRC32C mismatch"), e.getMessage());
    }

    @Test
    void foreignBytesAreRejectedByMagic() {
        entry = Unpooled.copiedBuffer("this is not a ledgerdisk entry at all", java.nio.charset.StandardCharsets.US_ASCII);
        CorruptEntryException e = assertThrows(CorruptEntryException.class,
                () -> LedgerRecordFormat.decode(LEDGER, ENTRY, entry));
        assertTrue(e.getMessage().contains("magic"), e.getMessage());
    }

    @Test
    void unknownVersionIsRejected() {
        entry = oneWrite();
        entry.setShort(LedgerRecordFormat.VERSION_OFFSET, 2);
        CorruptEntryException e = assertThrows(CorruptEntryException.class,
                () -> LedgerRecordFormat.decode(LEDGER, ENTRY, entry));
        assertTrue(e.getMessage().contains("format version 2"), e.getMessage());
    }

    @Test
    void truncatedAndOverlongEntriesAreRejected() {
        entry = oneWrite();
        ByteBuf truncated = entry.slice(0, entry.readableBytes() - 1);
        assertThrows(CorruptEntryException.class, () -> LedgerRecordFormat.decode(LEDGER, ENTRY, truncated));
        ByteBuf headerOnly = entry.slice(0, LedgerRecordFormat.ENTRY_HEADER_LENGTH + 20);
        assertThrows(CorruptEntryException.class, () -> LedgerRecordFormat.decode(LEDGER, ENTRY, headerOnly));
        ByteBuf overlong = Unpooled.wrappedBuffer(entry.retainedDuplicate(), Unpooled.wrappedBuffer(new byte[] {0}));
        try {
            CorruptEntryException e = assertThrows(CorruptEntryException.class,
                    () -> LedgerRecordFormat.decode(LEDGER, ENTRY, overlong));
            assertTrue(e.getMessage().contains("follow the last"), e.getMessage());
        } finally {
            overlong.release();
        }
    }

    @Test
    void unknownTypeCodeAndLyingLengthAreRejected() {
        entry = oneWrite();
        int record = LedgerRecordFormat.ENTRY_HEADER_LENGTH;
        ByteBuf badType = entry.copy();
        badType.setByte(record + LedgerRecordFormat.TYPE_OFFSET, 99);
        assertThrows(CorruptEntryException.class, () -> LedgerRecordFormat.decode(LEDGER, ENTRY, badType));
        ByteBuf badLength = entry.copy();
        badLength.setLong(record + LedgerRecordFormat.LENGTH_OFFSET, 1L << 33);
        assertThrows(CorruptEntryException.class, () -> LedgerRecordFormat.decode(LEDGER, ENTRY, badLength));
    }

    @Test
    void recordRejectsPayloadThatContradictsTypeAndLength() {
        assertThrows(IllegalArgumentException.class,
                () -> new LogRecord(1, 1, 1, RecordType.WRITE, 0, 10, Unpooled.wrappedBuffer(new byte[9])));
        assertThrows(IllegalArgumentException.class,
                () -> new LogRecord(1, 1, 1, RecordType.TRIM, 0, 10, Unpooled.wrappedBuffer(new byte[10])));
        assertThrows(IllegalArgumentException.class,
                () -> new LogRecord(1, 1, 1, RecordType.ZERO, -1, 10, Unpooled.EMPTY_BUFFER));
    }

    @Test
    void typeCodesAreStable() {
        assertEquals(1, RecordType.WRITE.code());
        assertEquals(2, RecordType.ZERO.code());
        assertEquals(3, RecordType.TRIM.code());
        for (RecordType type : RecordType.values()) {
            assertEquals(type, RecordType.fromCode(type.code()));
        }
    }

    private static ByteBuf oneWrite() {
        byte[] data = new byte[100];
        new Random(2).nextBytes(data);
        return LedgerRecordFormat.encode(ByteBufAllocator.DEFAULT,
                List.of(new LogRecord(1, 1, 1, RecordType.WRITE, 0, data.length, Unpooled.wrappedBuffer(data))));
    }
}
