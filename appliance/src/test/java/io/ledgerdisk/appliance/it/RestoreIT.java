package io.ledgerdisk.appliance.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Snapshots, clones and point-in-time restore through the real appliance process and real NBD
 * clients: restores at moments between writes spread over several folds (by time and by
 * sequence), a read-only snapshot export, clone isolation both ways, kill -9 after each step,
 * and garbage collection freeing exactly the chunks only a deleted snapshot reached.
 */
class RestoreIT {

    private static final int WRITES = 4;
    private static final Pattern ORIGIN = Pattern.compile("from (\\S+)@seq:(\\d+)");

    @TempDir
    Path temp;

    private ApplianceProcess node;

    private static String pattern(int i) {
        return String.format("0x%02x", 0x10 + i);
    }

    /** Reads {@code length} bytes at {@code offset} of an export and checks every byte is {@code pattern}. */
    private void expect(String export, String pattern, String offset, String length) throws Exception {
        ExternalCommand.Result read = ExternalCommand.run("qemu-io", "-r", "-f", "raw", node.nbdUri(export),
                "-c", "read -P " + pattern + " " + offset + " " + length).assertSuccess();
        assertFalse(read.output().contains("fail"), export + " at " + offset + " should read " + pattern + ":\n" + read.output());
    }

    private void write(String export, String pattern, String offset, String length) throws Exception {
        ExternalCommand.run("qemu-io", "-f", "raw", node.nbdUri(export), "-c", "write -P " + pattern + " " + offset + " " + length)
                .assertSuccess();
    }

    /** The state after write {@code i}: the shared head range holds write i's pattern, megabyte j holds write j's, later ones are zeros. */
    private void expectStateAfter(String export, int i) throws Exception {
        expect(export, i == 0 ? "0" : pattern(i), "0", "64k");
        for (int j = 1; j <= WRITES; j++) {
            expect(export, j <= i ? pattern(j) : "0", j + "M", "1M");
        }
    }

    private Set<String> chunkFiles() throws IOException {
        try (Stream<Path> files = Files.list(node.dataDir.resolve("chunks"))) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("c-")).collect(Collectors.toSet());
        }
    }

    private static Set<String> deletedChunks(String gcOutput) {
        return gcOutput.lines().filter(l -> l.startsWith("deleted c-")).map(l -> l.substring("deleted ".length()))
                .collect(Collectors.toSet());
    }

    @Test
    void restoresSnapshotsAndClonesShareChunksAndSurviveKill9() throws Exception {
        Path config = temp.resolve("node.properties");
        // Folds only when the test asks; GC only when the test asks, and without a grace period.
        Files.write(config, List.of("compaction.fold-age=1h", "compaction.gc-interval=1h", "compaction.gc-grace=0s"));
        node = new ApplianceProcess(temp.resolve("data"), 1, List.of("--config", config.toString())).start();
        try {
            node.cli("volume", "create", "src", "--size", "16M").assertSuccess();

            // Writes at t1..t4 over several folds: after writes 2 and 3 the log is folded, write 4 stays in the log.
            List<Instant> moments = new ArrayList<>();
            for (int i = 1; i <= WRITES; i++) {
                write("src", pattern(i), "0", "64k");
                write("src", pattern(i), i + "M", "1M");
                Thread.sleep(20);
                moments.add(Instant.now().truncatedTo(ChronoUnit.MILLIS));
                Thread.sleep(20);
                if (i == 2) {
                    String snap = node.cli("snapshot", "create", "src", "s1").assertSuccess().output();
                    assertTrue(snap.contains("src@s1"), snap);
                }
                if (i == 2 || i == 3) {
                    node.cli("volume", "compact", "src").assertSuccess();
                }
            }

            // Restore at each moment, and by the sequence each restore reports.
            List<Long> sequences = new ArrayList<>();
            for (int i = 1; i <= WRITES; i++) {
                String out = node.cli("volume", "restore", "src", "--at", moments.get(i - 1).toString(), "--as", "at" + i)
                        .assertSuccess().output();
                Matcher origin = ORIGIN.matcher(out);
                assertTrue(origin.find(), out);
                sequences.add(Long.parseLong(origin.group(2)));
                expectStateAfter("at" + i, i);
            }
            node.cli("volume", "restore", "src", "--seq", Long.toString(sequences.get(1)), "--as", "seq2").assertSuccess();
            expectStateAfter("seq2", 2);
            node.cli("volume", "restore", "src", "--seq", "0", "--as", "seq0").assertSuccess();
            expectStateAfter("seq0", 0);
            ExternalCommand.Result early = node.cli("volume", "restore", "src", "--at", "2000-01-01T00:00:00.000Z", "--as", "never");
            assertEquals(1, early.exitCode(), early.output());
            assertTrue(early.output().contains("earliest restorable moment is 20"), early.output());

            // The snapshot export is read-only and holds the state after write 2.
            String info = ExternalCommand.run("nbdinfo", node.nbdUri("src@s1")).assertSuccess().output();
            assertTrue(info.contains("is_read_only: true"), info);
            expectStateAfter("src@s1", 2);
            ExternalCommand.Result refused = ExternalCommand.run("qemu-io", "-f", "raw", node.nbdUri("src@s1"), "-c", "write -P 0x99 0 4k");
            assertTrue(refused.exitCode() != 0 || refused.output().toLowerCase().contains("error")
                    || refused.output().toLowerCase().contains("read-only")
                    || refused.output().toLowerCase().contains("not permitted"), "a write to a snapshot must fail:\n" + refused.output());
            expectStateAfter("src@s1", 2);
            String list = node.cli("snapshot", "list", "src").assertSuccess().output();
            assertTrue(list.contains("s1"), list);

            // A clone starts as the snapshot; writes on either side never reach the other.
            node.cli("volume", "clone", "src@s1", "copy").assertSuccess();
            expectStateAfter("copy", 2);
            write("copy", "0xee", "0", "64k");
            write("src", "0xdd", "2M", "1M");
            expect("copy", "0xee", "0", "64k");
            expect("copy", pattern(2), "2M", "1M");
            expect("src", pattern(WRITES), "0", "64k");
            expect("src", "0xdd", "2M", "1M");
            expectStateAfter("src@s1", 2);

            // kill -9 after the snapshot, the clone and the restores: everything is back after a restart.
            node.kill9();
            node.start();
            expect("src", pattern(WRITES), "0", "64k");
            expect("src", "0xdd", "2M", "1M");
            expectStateAfter("src@s1", 2);
            expect("copy", "0xee", "0", "64k");
            expect("copy", pattern(2), "2M", "1M");
            expectStateAfter("at3", 3);
            expectStateAfter("seq2", 2);

            // GC frees exactly the chunks only a deleted snapshot reached.
            node.cli("volume", "create", "gc", "--size", "4M").assertSuccess();
            write("gc", "0xa1", "0", "1M");
            Set<String> before = chunkFiles();
            node.cli("snapshot", "create", "gc", "a").assertSuccess();
            Set<String> onlySnapshot = new HashSet<>(chunkFiles());
            onlySnapshot.removeAll(before);
            assertFalse(onlySnapshot.isEmpty(), "the snapshot's fold wrote chunks");
            write("gc", "0xb2", "0", "1M");
            node.cli("volume", "compact", "gc").assertSuccess();
            String kept = node.cli("gc", "--retention", "0").assertSuccess().output();
            Set<String> keptDeleted = deletedChunks(kept);
            keptDeleted.retainAll(onlySnapshot);
            assertEquals(Set.of(), keptDeleted, "a pinned manifest's chunks stay:\n" + kept);
            expect("gc@a", "0xa1", "0", "1M");
            node.cli("snapshot", "delete", "gc", "a").assertSuccess();
            String freed = node.cli("gc", "--retention", "0").assertSuccess().output();
            assertEquals(onlySnapshot, deletedChunks(freed), freed);
            expect("gc", "0xb2", "0", "1M");
            // The older restores, snapshot and clone still read their data after the history was trimmed.
            expectStateAfter("src@s1", 2);
            expect("copy", pattern(2), "2M", "1M");
            expectStateAfter("at1", 1);
            assertNotEquals(0, node.cli("snapshot", "delete", "gc", "a").exitCode(), "deleting it twice is refused");
        } finally {
            node.close();
        }
    }
}
