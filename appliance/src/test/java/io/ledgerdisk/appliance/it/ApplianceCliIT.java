package io.ledgerdisk.appliance.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The operator's view: the volume CLI and REST API of a running appliance, and NBD export lookup. */
class ApplianceCliIT {

    private static Path temp;
    private static ApplianceProcess node;

    @BeforeAll
    static void start() throws Exception {
        temp = Files.createTempDirectory("ledgerdisk-cli-it");
        node = new ApplianceProcess(temp.resolve("data"), 1).start();
    }

    @AfterAll
    static void stop() throws Exception {
        node.close();
        try (var files = Files.walk(temp)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /** {@code bin/ledgerdisk ARGS --api URL} against the shared node. */
    private static ExternalCommand.Result cli(String... args) throws Exception {
        return node.cli(args);
    }

    @Test
    void createsListsWritesAndDeletesAVolume() throws Exception {
        assertTrue(cli("volume", "create", "vol1", "--size", "10G").assertSuccess().output().contains("created volume vol1"));
        String list = cli("volume", "list").assertSuccess().output();
        assertTrue(list.contains("vol1") && list.contains("10G") && list.contains("demo"), list);

        ExternalCommand.run("qemu-io", "-f", "raw", node.nbdUri("vol1"), "-c", "write -P 0x11 0 64k", "-c", "read -P 0x11 0 64k")
                .assertSuccess();
        String info = ExternalCommand.run("nbdinfo", node.nbdUri("vol1")).assertSuccess().output();
        assertTrue(info.contains(Long.toString(10L << 30)), info);

        assertTrue(cli("volume", "delete", "vol1").assertSuccess().output().contains("deleted volume vol1"));
        assertTrue(!cli("volume", "list").assertSuccess().output().contains("vol1"));
        assertNotEquals(0, ExternalCommand.run("nbdinfo", node.nbdUri("vol1")).exitCode(), "a deleted volume is no longer exported");
    }

    @Test
    void refusesBadRequestsWithAMessageAndNonZeroExit() throws Exception {
        ExternalCommand.Result badName = cli("volume", "create", "Bad Name!", "--size", "1G");
        assertEquals(1, badName.exitCode(), badName.output());
        assertTrue(badName.output().contains("HTTP 400"), badName.output());

        ExternalCommand.Result badSize = cli("volume", "create", "vol2", "--size", "10X");
        assertEquals(2, badSize.exitCode(), badSize.output());
        assertTrue(badSize.output().contains("not a size"), badSize.output());

        ExternalCommand.Result duplicate = cli("volume", "create", "demo", "--size", "1G");
        assertEquals(1, duplicate.exitCode(), duplicate.output());
        assertTrue(duplicate.output().contains("HTTP 409"), duplicate.output());

        ExternalCommand.Result missing = cli("volume", "delete", "nope");
        assertEquals(1, missing.exitCode(), missing.output());
        assertTrue(missing.output().contains("HTTP 404"), missing.output());

        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(node.apiUrl() + "/api/v1/volumes"))
                        .POST(HttpRequest.BodyPublishers.ofString("{\"name\": \"x\", \"size\": \"-1\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(400, response.statusCode());
        assertTrue(response.body().contains("\"error\""), response.body());
    }

    @Test
    void unknownExportsAreRefusedAndListed() throws Exception {
        ExternalCommand.Result unknown = ExternalCommand.run("nbdinfo", node.nbdUri("no-such-volume"));
        assertNotEquals(0, unknown.exitCode());
        String list = ExternalCommand.run("nbdinfo", "--list", "nbd://127.0.0.1:" + node.nbdPort).assertSuccess().output();
        assertTrue(list.contains("demo"), list);
    }
}
