package io.ledgerdisk.appliance.it;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ledgerdisk.chunk.testsupport.S3ProxyProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Chunks on S3 (s3proxy, a real S3-compatible server, as a separate process): folds upload
 * there, a restart reads the manifest and chunks back, and while S3 is down the volume keeps
 * taking writes into its log; the fold succeeds once S3 is back.
 */
class S3ChunksIT {

    @TempDir
    Path temp;

    @Test
    void foldsToS3SurviveKill9AndAnOutage() throws Exception {
        Path image = temp.resolve("source.img");
        byte[] bytes = new byte[8 << 20];
        new Random(3).nextBytes(bytes);
        java.util.Arrays.fill(bytes, 2 << 20, 5 << 20, (byte) 'x');
        Files.write(image, bytes);
        try (S3ProxyProcess s3 = S3ProxyProcess.start(Files.createDirectories(temp.resolve("s3")))) {
            Path config = temp.resolve("node.properties");
            Files.write(config, List.of("chunks.store=s3", "chunks.s3.endpoint=" + s3.endpoint(), "chunks.s3.bucket=ledgerdisk-chunks",
                    "chunks.s3.path-style=true", "chunks.s3.access-key=" + S3ProxyProcess.IDENTITY,
                    "chunks.s3.secret-key=" + S3ProxyProcess.CREDENTIAL, "chunks.s3.max-attempts=3",
                    "compaction.fold-age=1h"));
            try (ApplianceProcess node = new ApplianceProcess(temp.resolve("data"), 1, List.of("--config", config.toString())).start()) {
                node.cli("volume", "create", "s3vol", "--size", "8M").assertSuccess();
                String volume = node.nbdUri("s3vol");
                ExternalCommand.run("qemu-img", "convert", "-n", "-f", "raw", "-O", "raw", image.toString(), volume).assertSuccess();
                String folded = node.cli("volume", "compact", "s3vol").assertSuccess().output();
                assertTrue(folded.contains("manifest v1"), folded);
                assertTrue(!Files.exists(temp.resolve("data/chunks")) || isEmpty(temp.resolve("data/chunks")),
                        "chunks went to S3, not the local directory");

                node.kill9();
                node.start();
                ExternalCommand.run("qemu-img", "compare", "-f", "raw", "-F", "raw", image.toString(), volume).assertSuccess();

                s3.stop();
                ExternalCommand.run("qemu-io", "-f", "raw", image.toString(), "-c", "write -P 0x3c 1M 64k").assertSuccess();
                ExternalCommand.run("qemu-io", "-f", "raw", volume, "-c", "write -P 0x3c 1M 64k", "-c", "flush").assertSuccess();
                ExternalCommand.Result during = node.cli("volume", "compact", "s3vol");
                assertNotEquals(0, during.exitCode(), "a fold cannot commit while S3 is down:\n" + during.output());
                ExternalCommand.run("qemu-img", "compare", "-f", "raw", "-F", "raw", image.toString(), volume).assertSuccess();

                s3.restart();
                node.cli("volume", "compact", "s3vol").assertSuccess();
                node.kill9();
                node.start();
                ExternalCommand.run("qemu-img", "compare", "-f", "raw", "-F", "raw", image.toString(), volume).assertSuccess();
            }
        }
    }

    private static boolean isEmpty(Path dir) throws java.io.IOException {
        try (var files = Files.list(dir)) {
            return files.findAny().isEmpty();
        }
    }
}
