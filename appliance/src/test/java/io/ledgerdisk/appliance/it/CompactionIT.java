package io.ledgerdisk.appliance.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fold through the real parts: data written over NBD is folded into LZ4 chunk files,
 * survives kill -9 and restart from the chunks plus the log after them, and a flipped byte in
 * a chunk is an I/O error and a scrub finding, never silently wrong data.
 */
class CompactionIT {

    @TempDir
    Path temp;

    /** 32 MiB mixing random, compressible text and zeros, like a real disk image. */
    private Path image() throws IOException {
        Path image = temp.resolve("source.img");
        Random random = new Random(7);
        byte[] bytes = new byte[32 << 20];
        random.nextBytes(bytes);
        byte[] text = "Ledgerdisk folds the log into sorted, compressed, checksummed chunks. "
                .repeat(200_000).getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(text, 0, bytes, 8 << 20, 8 << 20);
        java.util.Arrays.fill(bytes, 20 << 20, 24 << 20, (byte) 0);
        Files.write(image, bytes);
        return image;
    }

    private Path config(String... lines) throws IOException {
        Path file = temp.resolve("node.properties");
        Files.write(file, List.of(lines));
        return file;
    }

    private static long chunkFiles(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().startsWith("c-")).count();
        }
    }

    @Test
    void foldedVolumesSurviveKill9AndCorruptionIsNeverSilent() throws Exception {
        Path image = image();
        Path expected = temp.resolve("expected.img");
        Files.copy(image, expected);
        // Folds happen only when asked, so the test decides what is in chunks and what is in the log.
        Path config = config("compaction.fold-age=1h", "compaction.fold-bytes=256M", "compaction.max-buffered-bytes=512M");
        try (ApplianceProcess node = new ApplianceProcess(temp.resolve("data"), 1, List.of("--config", config.toString())).start()) {
            node.cli("volume", "create", "img", "--size", "32M").assertSuccess();
            String volume = node.nbdUri("img");
            ExternalCommand.run("qemu-img", "convert", "-n", "-f", "raw", "-O", "raw", image.toString(), volume).assertSuccess();
            String first = node.cli("volume", "compact", "img").assertSuccess().output();
            assertTrue(first.contains("manifest v1"), first);
            Path chunks = temp.resolve("data/chunks");
            assertTrue(chunkFiles(chunks) >= 1, "chunks are written under DATA/chunks");

            // Overwrite across the fold, unaligned, and trim: then some of it is folded and some only logged.
            for (Path target : List.of(expected)) {
                ExternalCommand.run("qemu-io", "-f", "raw", target.toString(), "-c", "write -P 0x5c 1000000 300000",
                        "-c", "write -z 16M 1M").assertSuccess();
            }
            ExternalCommand.run("qemu-io", "-f", "raw", volume, "-c", "write -P 0x5c 1000000 300000", "-c", "write -z 16M 1M")
                    .assertSuccess();
            ExternalCommand.run("qemu-img", "compare", "-f", "raw", "-F", "raw", expected.toString(), volume).assertSuccess();
            String second = node.cli("volume", "compact", "img").assertSuccess().output();
            assertTrue(second.contains("manifest v"), second);
            ExternalCommand.run("qemu-io", "-f", "raw", expected.toString(), "-c", "write -P 0x77 4096 8192").assertSuccess();
            ExternalCommand.run("qemu-io", "-f", "raw", volume, "-c", "write -P 0x77 4096 8192", "-c", "flush").assertSuccess();

            node.kill9();
            node.start();
            ExternalCommand.run("qemu-img", "compare", "-f", "raw", "-F", "raw", expected.toString(), volume).assertSuccess();
            assertTrue(node.log().contains("manifest v"), "the restart loads the committed manifest");
            String verified = node.cli("volume", "verify", "img").assertSuccess().output();
            assertTrue(verified.contains("ok"), verified);

            // Corrupt one byte in the middle of a chunk, behind the node's back.
            node.kill9();
            Path victim;
            try (Stream<Path> files = Files.list(chunks)) {
                victim = files.filter(p -> p.getFileName().toString().startsWith("c-"))
                        .max((a, b) -> Long.compare(a.toFile().length(), b.toFile().length())).orElseThrow();
            }
            try (RandomAccessFile file = new RandomAccessFile(victim.toFile(), "rw")) {
                long at = file.length() / 3;
                file.seek(at);
                int b = file.read();
                file.seek(at);
                file.write(b ^ 0x5a);
            }
            node.start();
            ExternalCommand.Result scrub = node.cli("volume", "verify", "img");
            assertEquals(1, scrub.exitCode(), scrub.output());
            assertTrue(scrub.output().contains(victim.getFileName().toString()), "the scrub names the chunk:\n" + scrub.output());
            ExternalCommand.Result read = ExternalCommand.run("qemu-img", "compare", "-f", "raw", "-F", "raw", expected.toString(), volume);
            assertNotEquals(0, read.exitCode(), "reading the damaged frame fails instead of returning wrong bytes");
            assertTrue(node.log().contains(victim.getFileName().toString()), "the node logs the damaged chunk");
        }
    }

    /** With retention 0, folded ledgers and chunks nothing reaches any more are deleted. */
    @Test
    void outOfRetentionLedgersAndUnreachableChunksAreDeleted() throws Exception {
        Path config = config("compaction.fold-age=1h", "compaction.retention=0s", "compaction.gc-grace=0s",
                "compaction.gc-interval=1s");
        try (ApplianceProcess node = new ApplianceProcess(temp.resolve("data"), 1, List.of("--config", config.toString())).start()) {
            node.cli("volume", "create", "short", "--size", "8M").assertSuccess();
            String volume = node.nbdUri("short");
            ExternalCommand.run("qemu-io", "-f", "raw", volume, "-c", "write -P 0x0a 0 4M").assertSuccess();
            node.cli("volume", "compact", "short").assertSuccess();
            Path chunks = temp.resolve("data/chunks");
            List<Path> first;
            try (Stream<Path> files = Files.list(chunks)) {
                first = files.filter(p -> p.getFileName().toString().startsWith("c-")).toList();
            }
            assertEquals(1, first.size(), "one fold of 4 MiB makes one chunk");

            node.kill9();
            node.start();
            ExternalCommand.run("qemu-io", "-f", "raw", volume, "-c", "write -P 0x0b 0 4M").assertSuccess();
            node.cli("volume", "compact", "short").assertSuccess();
            String listed = node.cli("volume", "list", "--json").assertSuccess().output();
            com.fasterxml.jackson.databind.JsonNode shortVolume = null;
            for (com.fasterxml.jackson.databind.JsonNode v : new com.fasterxml.jackson.databind.ObjectMapper().readTree(listed)) {
                if (v.get("name").asText().equals("short")) {
                    shortVolume = v;
                }
            }
            assertEquals(1, shortVolume.get("ledgers").size(), "the folded ledger of the first run is gone:\n" + listed);

            long deadline = System.nanoTime() + 30_000_000_000L;
            while (Files.exists(first.get(0)) && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            assertTrue(!Files.exists(first.get(0)), "the overwritten chunk is collected:\n" + node.log());
            ExternalCommand.run("qemu-io", "-f", "raw", volume, "-c", "read -P 0x0b 0 4M", "-c", "read -P 0 4M 4M").assertSuccess();
            node.kill9();
            node.start();
            ExternalCommand.run("qemu-io", "-f", "raw", volume, "-c", "read -P 0x0b 0 4M", "-c", "read -P 0 4M 4M").assertSuccess();
        }
    }
}
