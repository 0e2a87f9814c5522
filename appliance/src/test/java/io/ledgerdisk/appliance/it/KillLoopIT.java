package io.ledgerdisk.appliance.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * "Nothing acknowledged is ever lost", tested the hard way: a libnbd client writes with FUA and
 * FLUSH while the appliance process is killed with SIGKILL at a random moment, round after
 * round, with folds into chunks happening every second in between. After each restart every
 * block holds its last acknowledged write, or the one write that was in flight, never anything
 * else.
 */
class KillLoopIT {

    private static final int BLOCKS = 512;
    private static final int ROUNDS = 4;

    @TempDir
    Path temp;

    @Test
    void acknowledgedWritesSurviveRepeatedKill9() throws Exception {
        Path writer = temp.resolve("fua_writer.py");
        try (InputStream in = KillLoopIT.class.getResourceAsStream("/it/fua_writer.py")) {
            Files.copy(in, writer, StandardCopyOption.REPLACE_EXISTING);
        }
        Path config = temp.resolve("node.properties");
        Files.write(config, List.of("compaction.fold-age=1s", "compaction.retention=0s", "compaction.gc-grace=0s",
                "compaction.gc-interval=2s"));
        Random random = new Random(2026);
        /** For each block: the sequence numbers whose bytes it may hold (last acknowledged, and a later attempt). */
        Map<Integer, String> acknowledged = new HashMap<>();
        try (ApplianceProcess node = new ApplianceProcess(temp.resolve("data"), 1, List.of("--config", config.toString())).start()) {
            node.cli("volume", "create", "loop", "--size", "2M").assertSuccess();
            String uri = node.nbdUri("loop");
            for (int round = 1; round <= ROUNDS; round++) {
                Path log = temp.resolve("round-" + round + ".log");
                Process client = new ProcessBuilder("/usr/bin/python3", writer.toString(), uri, Integer.toString(round),
                        Integer.toString(BLOCKS), log.toString())
                        .redirectErrorStream(true).redirectOutput(temp.resolve("writer-" + round + ".out").toFile()).start();
                Thread.sleep(1500 + random.nextInt(3000));
                node.kill9();
                assertTrue(client.waitFor(30, TimeUnit.SECONDS), "the writer stops when the server dies");

                Map<Integer, String> attempted = new HashMap<>();
                for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
                    String[] words = line.split(" ");
                    if (words.length != 3) {
                        continue;
                    }
                    int block = Integer.parseInt(words[1]);
                    String tag = round + ":" + words[2] + ":" + block + "|";
                    if (words[0].equals("ack")) {
                        acknowledged.put(block, tag);
                        attempted.remove(block);
                    } else {
                        attempted.put(block, tag);
                    }
                }
                assertTrue(!acknowledged.isEmpty(), "the writer got acknowledgements in round " + round + ":\n"
                        + Files.readString(temp.resolve("writer-" + round + ".out")));

                node.start();
                Path dump = temp.resolve("dump-" + round + ".img");
                ExternalCommand.run("nbdcopy", uri, dump.toString()).assertSuccess();
                byte[] volume = Files.readAllBytes(dump);
                int checked = 0;
                for (int block = 0; block < BLOCKS; block++) {
                    String held = head(volume, block);
                    String last = acknowledged.get(block);
                    String inFlight = attempted.get(block);
                    if (last == null && inFlight == null) {
                        assertEquals("", held, "block " + block + " was never written and reads as zeros");
                        continue;
                    }
                    // A block whose only write was in flight may still read as zeros (it never landed).
                    boolean ok = held.equals(last) || held.equals(inFlight) || (last == null && held.isEmpty());
                    assertTrue(ok, "round " + round + ", block " + block + " holds '" + held + "', expected the acknowledged '"
                            + last + "'" + (inFlight == null ? "" : " or the in-flight '" + inFlight + "'"));
                    if (held.equals(inFlight)) {
                        // The in-flight write landed: it is what later rounds must find.
                        acknowledged.put(block, inFlight);
                    }
                    checked++;
                }
                assertTrue(checked > 0);
            }
            assertTrue(node.log().contains("folded volume loop"), "folds ran between and during the kills:\n" + node.log());
        }
    }

    /** The "ROUND:SEQ:BLOCK|" tag at the start of a block, or "" for a zero block. */
    private static String head(byte[] volume, int block) {
        int at = block * 4096;
        if (volume[at] == 0) {
            return "";
        }
        int end = at;
        while (end < at + 40 && volume[end] != '|') {
            end++;
        }
        return new String(volume, at, end - at + 1, StandardCharsets.US_ASCII);
    }
}
