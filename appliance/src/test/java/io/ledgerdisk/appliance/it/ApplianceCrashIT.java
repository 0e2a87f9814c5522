package io.ledgerdisk.appliance.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Durability through the real parts: an appliance process with real bookies and a real Ratis
 * group, driven by real NBD clients, killed with SIGKILL and restarted on the same data.
 */
class ApplianceCrashIT {

    @TempDir
    Path temp;

    @Test
    void flushedWritesSurviveKill9() throws Exception {
        try (ApplianceProcess node = new ApplianceProcess(temp.resolve("data"), 1).start()) {
            String demo = node.nbdUri("demo");
            String info = ExternalCommand.run("nbdinfo", demo).assertSuccess().output();
            assertTrue(info.contains("4294967296"), "demo is a 4 GiB volume:\n" + info);

            ExternalCommand.run("qemu-io", "-f", "raw", demo,
                    "-c", "write -P 0xab 0 1M",
                    "-c", "write -P 0xcd 4095M 64k",
                    "-c", "write -P 0x5a 12345 777",
                    "-c", "flush").assertSuccess();
            node.kill9();

            node.start();
            ExternalCommand.run("qemu-io", "-f", "raw", demo,
                    "-c", "read -P 0xab 0 12345",
                    "-c", "read -P 0x5a 12345 777",
                    "-c", "read -P 0xab 13122 1035454",
                    "-c", "read -P 0xcd 4095M 64k",
                    "-c", "read -P 0 1M 1M").assertSuccess();
            int status = node.terminate();
            assertTrue(status == 0 || status == 143, "SIGTERM stops the JVM through its shutdown hooks, status " + status);
            assertTrue(node.log().contains("Ledgerdisk stopped"), "the node logs its clean stop:\n" + node.log());
        }
        Path data = temp.resolve("data");
        assertTrue(Files.isDirectory(data.resolve("ratis")), "the Ratis log lives in the data directory");
        try (Stream<Path> files = Files.walk(data.resolve("bookkeeper"))) {
            assertTrue(files.anyMatch(p -> p.getFileName().toString().endsWith(".txn")), "the bookie journal lives in the data directory");
        }
    }

    /** The Foundation issue's acceptance: an ext4 image copied in, kill -9, restart, compared. */
    @Test
    void ext4ImageSurvivesKill9() throws Exception {
        Path content = Files.createDirectories(temp.resolve("content"));
        for (int i = 0; i < 20; i++) {
            Files.write(content.resolve("file-" + i), new java.util.Random(i).ints(50_000 + i * 1000L).mapToObj(Integer::toString)
                    .reduce(new StringBuilder(), StringBuilder::append, StringBuilder::append).toString().getBytes());
        }
        Path image = temp.resolve("ext4.img");
        ExternalCommand.run("truncate", "-s", "64M", image.toString()).assertSuccess();
        ExternalCommand.run("mkfs.ext4", "-q", "-F", "-d", content.toString(), image.toString()).assertSuccess();

        try (ApplianceProcess node = new ApplianceProcess(temp.resolve("data"), 1).start()) {
            ExternalCommand.run(ApplianceProcess.LAUNCHER.toString(), "volume", "create", "ext4vol", "--size", "64M",
                    "--api", node.apiUrl()).assertSuccess();
            String volume = node.nbdUri("ext4vol");
            ExternalCommand.run("qemu-img", "convert", "-n", "-f", "raw", "-O", "raw", image.toString(), volume).assertSuccess();
            node.kill9();

            node.start();
            ExternalCommand.run("qemu-img", "compare", "-f", "raw", "-F", "raw", image.toString(), volume).assertSuccess();
        }
    }
}
