package io.ledgerdisk.journal.bookie;

import static io.ledgerdisk.journal.bookie.ZeroFillingFileChannel.FILL_AHEAD_BYTES;
import static io.ledgerdisk.journal.bookie.ZeroFillingFileChannel.FILL_STEP_BYTES;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ZeroFillingFileChannelTest {
    private static final int SECTOR = 512;

    @TempDir
    Path dir;

    @Test
    void recordsLandOverZerosAndTheFileIsFilledAheadWithoutHoles() throws Exception {
        Path path = dir.resolve("1.txn");
        byte[] records = randomBytes(3 * FILL_STEP_BYTES + 1234, 1);
        try (FileChannel channel = open(path)) {
            channel.write(ByteBuffer.wrap(records, 0, SECTOR));
            // The journal's preallocation mark: one zero sector at the end of the first step.
            channel.write(ByteBuffer.allocate(SECTOR), 16L * 1024 * 1024 - SECTOR);
            channel.write(ByteBuffer.wrap(records, SECTOR, records.length - SECTOR));
            long target = records.length + FILL_AHEAD_BYTES - FILL_STEP_BYTES;
            awaitSize(channel, target);
        }
        byte[] file = Files.readAllBytes(path);
        assertArrayEquals(records, Arrays.copyOf(file, records.length));
        for (int i = records.length; i < file.length; i++) {
            if (file[i] != 0) {
                throw new AssertionError("byte " + i + " past the records is " + file[i]);
            }
        }
        assertTrue(allocatedBytes(path) >= file.length, "zeros are written, not a hole: allocated "
                + allocatedBytes(path) + " of " + file.length);
    }

    @Test
    void thePreallocationMarkIsFilledUpToButNotWrittenAsAHole() throws Exception {
        Path path = dir.resolve("2.txn");
        long mark = 40L * 1024 * 1024;
        try (FileChannel channel = open(path)) {
            channel.write(ByteBuffer.wrap(randomBytes(SECTOR, 2)));
            channel.write(ByteBuffer.allocate(SECTOR), mark - SECTOR);
            awaitSize(channel, mark);
            Thread.sleep(100);
            assertEquals(mark, channel.size(), "filled up to the mark, not past it");
        }
        assertTrue(allocatedBytes(path) >= Files.size(path));
    }

    @Test
    void aPositionalWriteOfDataIsARecordNotAMark() throws Exception {
        Path path = dir.resolve("3.txn");
        byte[] header = randomBytes(SECTOR, 3);
        try (FileChannel channel = open(path)) {
            channel.write(ByteBuffer.wrap(header), 0);
            assertEquals(0, channel.position(), "a positional write leaves the position alone");
            awaitSize(channel, SECTOR + FILL_AHEAD_BYTES - FILL_STEP_BYTES);
        }
        assertArrayEquals(header, Arrays.copyOf(Files.readAllBytes(path), SECTOR));
    }

    @Test
    void concurrentFillNeverZeroesARecord() throws Exception {
        Path path = dir.resolve("4.txn");
        Random random = new Random(4);
        ByteBuffer expected = ByteBuffer.allocate(48 * 1024 * 1024);
        try (FileChannel channel = open(path)) {
            while (expected.remaining() > 70_000) {
                byte[] record = randomBytes(1 + random.nextInt(65_536), random.nextLong());
                channel.write(ByteBuffer.wrap(record));
                expected.put(record);
                if (random.nextInt(8) == 0) {
                    channel.force(false);
                }
            }
        }
        byte[] file = Files.readAllBytes(path);
        byte[] written = Arrays.copyOf(expected.array(), expected.position());
        assertArrayEquals(written, Arrays.copyOf(file, written.length));
    }

    @Test
    void readingAJournalStartsNoFillAndCloseStopsTheFill() throws Exception {
        Path path = dir.resolve("5.txn");
        Files.write(path, randomBytes(4096, 5));
        try (FileChannel channel = open(path)) {
            ByteBuffer buffer = ByteBuffer.allocate(4096);
            while (buffer.hasRemaining() && channel.read(buffer) >= 0) {
                // read it all
            }
            assertFalse(fillThreadRunning(), "replay must not write to the journal");
        }
        assertEquals(4096, Files.size(path));

        try (FileChannel channel = open(path)) {
            channel.position(4096);
            channel.write(ByteBuffer.wrap(randomBytes(100, 6)));
            assertTrue(fillThreadRunning() || channel.size() > 4196);
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (fillThreadRunning() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertFalse(fillThreadRunning(), "closing the journal file stops its fill thread");
    }

    private static FileChannel open(Path path) throws IOException {
        FileChannel file = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        return new ZeroFillingFileChannel(file, path.getFileName().toString());
    }

    private static void awaitSize(FileChannel channel, long size) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (channel.size() < size) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the fill reached " + channel.size() + " of " + size + " bytes");
            }
            Thread.sleep(5);
        }
    }

    private static boolean fillThreadRunning() {
        return Thread.getAllStackTraces().keySet().stream()
                .anyMatch(t -> t.getName().startsWith("bookie-journal-zero-fill") && t.isAlive());
    }

    /** Bytes the file system has allocated to the file (stat's block count): less than its size if it has holes. */
    static long allocatedBytes(Path path) throws Exception {
        Process stat = new ProcessBuilder("stat", "-c", "%b %B", path.toString()).start();
        String[] out = new String(stat.getInputStream().readAllBytes()).trim().split(" ");
        assertEquals(0, stat.waitFor());
        return Long.parseLong(out[0]) * Long.parseLong(out[1]);
    }

    private static byte[] randomBytes(int length, long seed) {
        byte[] bytes = new byte[length];
        new Random(seed).nextBytes(bytes);
        for (int i = 0; i < length; i += 97) {
            bytes[i] |= 1; // never an all-zero record
        }
        return bytes;
    }
}
