package io.ledgerdisk.journal.bookie;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.apache.bookkeeper.client.BKException;
import org.apache.bookkeeper.proto.DataFormats.LedgerMetadataFormat.DigestType;
import org.apache.bookkeeper.proto.checksum.DigestManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cuts a torn record off the tail of a bookie's journal files before the bookie replays them.
 * Not thread-safe; run it while the bookie is stopped.
 *
 * <p>Why: the bookie's journal thread copies each record into a write buffer and writes the
 * buffer to the file whenever it fills, so a record can reach the file in two {@code write}s.
 * A {@code kill -9} between them leaves the record's length and first bytes, then zeros (the
 * file is preallocated). Such a record was never fsynced, so never acknowledged; but the
 * bookie's replay has no checksum of its own, stores it as the ledger's last entry, and from
 * then on every recovery open of that ledger fails on its digest (seen in {@code KillLoopIT}:
 * "Mac mismatch ... entry: -1"). The entry's own CRC32C digest tells a torn record apart.
 *
 * <p>The journal layout this reads (BookKeeper journal format V5 and V6), big-endian:
 *
 * <pre>
 *   0        4        8                                   512
 *   +--------+--------+------------- zeros ---------------+
 *   | "BKLG" | version|                                   |   header, one sector
 *   +--------+--------+-----------------------------------+
 *   | len    | record bytes (len)                          |   a record: ledger id (8), entry id (8), ...
 *   +--------+---------------------------------------------+
 *   | -0x100 | padLen | padLen bytes                       |   padding to the alignment at each flush
 *   +--------+--------+------------------------------------+
 *   | 0      |                                                 end of the written part
 * </pre>
 *
 * <p>A data record (entry id &ge; 0) is the entry as the client sent it: ledger id, entry id,
 * last add confirmed, length, CRC32C digest (Ledgerdisk creates every ledger with CRC32C),
 * payload. Meta records (negative entry ids: ledger key, fence, explicit LAC) carry no digest
 * and are checked for their shape only.
 *
 * <p>Only a file's last record is ever cut, by zeroing its length field, and only when it
 * fails its check: a bookie opens a new journal file at every start, so a tear can only sit at
 * the end of a file. Records before it are not read (a bad one there would be corruption, not
 * a tear, and cutting it would drop the records after it).
 */
public final class JournalTailRepair {
    private static final Logger LOG = LoggerFactory.getLogger(JournalTailRepair.class);

    private static final byte[] MAGIC = "BKLG".getBytes(StandardCharsets.US_ASCII);
    private static final int MIN_VERSION = 5;
    private static final int MAX_VERSION = 6;
    private static final int HEADER_BYTES = 512;
    private static final int PADDING_MARK = -0x100;
    private static final int LENGTH_BYTES = Integer.BYTES;
    private static final int IDS_BYTES = 2 * Long.BYTES;

    private static final long LEDGER_KEY_ENTRY = -0x1000;
    private static final long FENCE_ENTRY = -0x2000;
    private static final long EXPLICIT_LAC_ENTRY = -0x8000;

    private JournalTailRepair() {
    }

    /**
     * Checks every journal file under {@code journalDir} (BookKeeper's {@code current}
     * subdirectory included) and cuts a torn last record off each. Blocks on file I/O.
     *
     * @return the files whose tail was cut, for the log and tests
     */
    public static List<Path> repair(Path journalDir) throws IOException {
        List<Path> cut = new ArrayList<>();
        for (Path file : journalFiles(journalDir)) {
            if (repairFile(file)) {
                cut.add(file);
            }
        }
        return cut;
    }

    private static List<Path> journalFiles(Path journalDir) throws IOException {
        List<Path> files = new ArrayList<>();
        for (Path dir : List.of(journalDir, journalDir.resolve("current"))) {
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (Stream<Path> list = Files.list(dir)) {
                list.filter(p -> p.getFileName().toString().endsWith(".txn")).sorted().forEach(files::add);
            }
        }
        return files;
    }

    private static boolean repairFile(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            Tail tail = scan(channel, file);
            if (tail == null || tail.lastRecord() < 0 || tail.lastRecordSound()) {
                return false;
            }
            channel.write(ByteBuffer.allocate(LENGTH_BYTES), tail.lastRecord());
            channel.force(false);
            LOG.warn("journal {}: cut a torn record at offset {} (never acknowledged: its bytes stop part way)",
                    file, tail.lastRecord());
            return true;
        }
    }

    /**
     * Where a journal file's records end, as the bookie's replay reads them.
     *
     * @param lastRecord offset of the last record's length field, -1 if the file has none
     * @param lastRecordSound whether that record passes {@link #isSound}
     * @param end offset just past the last record or padding (where the next record would go)
     */
    record Tail(long lastRecord, boolean lastRecordSound, long end) {
    }

    /** The tail of one journal file, or null if it is not a V5/V6 journal. Blocks on file I/O. */
    static Tail tail(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            return scan(channel, file);
        }
    }

    private static Tail scan(FileChannel channel, Path file) throws IOException {
        if (!hasKnownHeader(channel)) {
            LOG.warn("journal {} has no V{}-V{} header; not checked for a torn tail", file, MIN_VERSION,
                    MAX_VERSION);
            return null;
        }
        // Follow the length fields only (journal files run to gigabytes); read and check the
        // last record alone, the only place a tear can be.
        long size = channel.size();
        long position = HEADER_BYTES;
        long lastRecord = -1;
        int lastLength = 0;
        while (position + LENGTH_BYTES <= size) {
            int length = readInt(channel, position);
            if (length == 0) {
                break;
            }
            if (length == PADDING_MARK) {
                int padding = position + 2 * LENGTH_BYTES > size ? -1 : readInt(channel, position + LENGTH_BYTES);
                if (padding < 0) {
                    break; // cut short or corrupt: no telling where a next record would start
                }
                position += 2 * LENGTH_BYTES + padding;
                continue;
            }
            if (length < 0 || position + LENGTH_BYTES + length > size) {
                break; // the bookie's replay stops here too: a bad length or a short read
            }
            lastRecord = position;
            lastLength = length;
            position += LENGTH_BYTES + length;
        }
        if (lastRecord < 0) {
            return new Tail(lastRecord, true, position);
        }
        ByteBuffer record = ByteBuffer.allocate(lastLength);
        readFully(channel, record, lastRecord + LENGTH_BYTES);
        return new Tail(lastRecord, isSound(record.flip()), position);
    }

    private static boolean hasKnownHeader(FileChannel channel) throws IOException {
        ByteBuffer header = ByteBuffer.allocate(MAGIC.length + Integer.BYTES);
        readFully(channel, header, 0);
        if (header.hasRemaining()) {
            return false;
        }
        header.flip();
        byte[] magic = new byte[MAGIC.length];
        header.get(magic);
        int version = header.getInt();
        return Arrays.equals(magic, MAGIC) && version >= MIN_VERSION && version <= MAX_VERSION;
    }

    private static int readInt(FileChannel channel, long position) throws IOException {
        ByteBuffer bytes = ByteBuffer.allocate(Integer.BYTES);
        readFully(channel, bytes, position);
        return bytes.hasRemaining() ? 0 : bytes.getInt(0);
    }

    /** Reads until {@code target} is full or the file ends. */
    private static void readFully(FileChannel channel, ByteBuffer target, long position) throws IOException {
        long at = position;
        while (target.hasRemaining()) {
            int read = channel.read(target, at);
            if (read < 0) {
                return;
            }
            at += read;
        }
    }

    /** Whether a record is whole: a data entry whose digest matches, or a meta record of the right shape. */
    static boolean isSound(ByteBuffer record) {
        if (record.remaining() < IDS_BYTES) {
            return false;
        }
        long ledgerId = record.getLong(0);
        long entryId = record.getLong(Long.BYTES);
        if (entryId >= 0) {
            return digestMatches(ledgerId, entryId, record);
        }
        if (entryId == FENCE_ENTRY) {
            return record.remaining() == IDS_BYTES;
        }
        if (entryId == LEDGER_KEY_ENTRY || entryId == EXPLICIT_LAC_ENTRY) {
            return record.remaining() >= IDS_BYTES + Integer.BYTES
                    && record.remaining() == IDS_BYTES + Integer.BYTES + record.getInt(IDS_BYTES);
        }
        return true; // a meta record this version does not know; the bookie skips those
    }

    private static boolean digestMatches(long ledgerId, long entryId, ByteBuffer record) {
        try {
            DigestManager digest = DigestManager.instantiate(ledgerId, new byte[0], DigestType.CRC32C,
                    ByteBufAllocator.DEFAULT, false);
            digest.verifyDigestAndReturnData(entryId, Unpooled.wrappedBuffer(record.duplicate()));
            return true;
        } catch (BKException.BKDigestMatchException e) {
            return false;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("BookKeeper has no CRC32C digest", e);
        }
    }
}
