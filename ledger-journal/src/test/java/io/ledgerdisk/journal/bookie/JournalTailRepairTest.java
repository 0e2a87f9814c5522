package io.ledgerdisk.journal.bookie;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.apache.bookkeeper.proto.DataFormats.LedgerMetadataFormat.DigestType;
import org.apache.bookkeeper.proto.checksum.DigestManager;
import org.apache.bookkeeper.util.ByteBufList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JournalTailRepairTest {
    private static final long LEDGER = 7;
    private static final int PREALLOCATED = 64 * 1024;

    @TempDir
    Path journalDir;

    @Test
    void aWholeJournalIsLeftAlone() throws Exception {
        Path file = journal(new Journal().ledgerKey().entry(0).entry(1).padding(100).entry(2));
        byte[] before = Files.readAllBytes(file);

        assertEquals(List.of(), JournalTailRepair.repair(journalDir));
        assertArrayEquals(before, Files.readAllBytes(file));
        JournalTailRepair.Tail tail = JournalTailRepair.tail(file);
        assertTrue(tail.lastRecordSound());
    }

    @Test
    void aTornLastEntryIsCutAndTheEntriesBeforeItStay() throws Exception {
        Journal journal = new Journal().ledgerKey().entry(0).entry(1);
        long lastWhole = journal.lastRecord;
        Path file = journal(journal.tornEntry(2));

        assertEquals(List.of(file), JournalTailRepair.repair(journalDir));
        JournalTailRepair.Tail tail = JournalTailRepair.tail(file);
        assertEquals(lastWhole, tail.lastRecord());
        assertTrue(tail.lastRecordSound());
        assertEquals(List.of(), JournalTailRepair.repair(journalDir), "a second pass finds nothing to cut");
    }

    @Test
    void aTornLedgerKeyRecordIsCut() throws Exception {
        Journal journal = new Journal().ledgerKey().entry(0);
        long lastWhole = journal.lastRecord;
        Path file = journal(journal.record(ByteBuffer.allocate(20).putLong(LEDGER + 1).putLong(-0x1000).putInt(20)
                .array()));

        assertEquals(List.of(file), JournalTailRepair.repair(journalDir));
        assertEquals(lastWhole, JournalTailRepair.tail(file).lastRecord());
    }

    @Test
    void onlyTheLastRecordIsJudged() throws Exception {
        Path file = journal(new Journal().ledgerKey().tornEntry(0).entry(1));
        byte[] before = Files.readAllBytes(file);

        assertEquals(List.of(), JournalTailRepair.repair(journalDir));
        assertArrayEquals(before, Files.readAllBytes(file));
    }

    @Test
    void aNegativePaddingLengthEndsTheWalk() throws Exception {
        Journal journal = new Journal().ledgerKey().entry(0);
        long lastWhole = journal.lastRecord;
        journal.bytes.writeBytes(ByteBuffer.allocate(8).putInt(-0x100).putInt(-64).array());
        Path file = journal(journal);

        assertEquals(List.of(), JournalTailRepair.repair(journalDir));
        assertEquals(lastWhole, JournalTailRepair.tail(file).lastRecord());
    }

    @Test
    void aFileWithoutAJournalHeaderIsNotTouched() throws Exception {
        Path file = Files.createDirectories(journalDir.resolve("current")).resolve("1.txn");
        byte[] junk = new byte[4096];
        Arrays.fill(junk, (byte) 0x5a);
        Files.write(file, junk);

        assertEquals(List.of(), JournalTailRepair.repair(journalDir));
        assertArrayEquals(junk, Files.readAllBytes(file));
        assertNull(JournalTailRepair.tail(file));
    }

    @Test
    void soundRecordsAreEntriesWithTheirDigestAndMetaRecordsOfTheirShape() {
        assertTrue(JournalTailRepair.isSound(ByteBuffer.wrap(entryBytes(3))));
        byte[] flipped = entryBytes(3);
        flipped[flipped.length - 1] ^= 1;
        assertFalse(JournalTailRepair.isSound(ByteBuffer.wrap(flipped)));
        assertTrue(JournalTailRepair.isSound(ByteBuffer.allocate(16).putLong(0, LEDGER).putLong(8, -0x2000)));
        assertFalse(JournalTailRepair.isSound(ByteBuffer.allocate(12)));
    }

    private Path journal(Journal journal) throws Exception {
        Path file = Files.createDirectories(journalDir.resolve("current")).resolve("18c.txn");
        byte[] bytes = Arrays.copyOf(journal.bytes.toByteArray(), PREALLOCATED);
        Files.write(file, bytes);
        return file;
    }

    private static byte[] entryBytes(long entryId) {
        try {
            DigestManager digest = DigestManager.instantiate(LEDGER, new byte[0], DigestType.CRC32C,
                    ByteBufAllocator.DEFAULT, false);
            ByteBuf payload = Unpooled.wrappedBuffer(("payload of entry " + entryId).repeat(50)
                    .getBytes(StandardCharsets.UTF_8));
            ByteBufList packaged = (ByteBufList) digest.computeDigestAndPackageForSending(entryId, entryId - 1,
                    payload.readableBytes(), payload, new byte[20], 0);
            ByteBuf whole = ByteBufList.coalesce(packaged);
            packaged.release();
            byte[] bytes = new byte[whole.readableBytes()];
            whole.readBytes(bytes);
            whole.release();
            return bytes;
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** A V6 journal file's bytes as a bookie writes them. */
    private static final class Journal {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        long lastRecord = -1;

        Journal() {
            byte[] header = new byte[512];
            ByteBuffer.wrap(header).put("BKLG".getBytes(StandardCharsets.US_ASCII)).putInt(6);
            bytes.writeBytes(header);
        }

        Journal ledgerKey() {
            return record(ByteBuffer.allocate(40).putLong(LEDGER).putLong(-0x1000).putInt(20).array());
        }

        Journal entry(long entryId) {
            return record(entryBytes(entryId));
        }

        /** An entry whose second half never reached the file: zeros, as in a preallocated journal. */
        Journal tornEntry(long entryId) {
            byte[] entry = entryBytes(entryId);
            Arrays.fill(entry, entry.length / 2, entry.length, (byte) 0);
            return record(entry);
        }

        Journal padding(int length) {
            bytes.writeBytes(ByteBuffer.allocate(8 + length).putInt(-0x100).putInt(length).array());
            return this;
        }

        Journal record(byte[] record) {
            lastRecord = bytes.size();
            bytes.writeBytes(ByteBuffer.allocate(4).putInt(record.length).array());
            bytes.writeBytes(record);
            return this;
        }
    }
}
