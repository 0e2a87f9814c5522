package io.ledgerdisk.appliance.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The operator's view of the cluster metadata on a running appliance: pools, nodes and PG maps
 * through {@code bin/ledgerdisk} and the REST API, and the local placement simulator. One
 * appliance (one bookie) serves the whole class.
 */
class ClusterCliIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static Path temp;
    private static ApplianceProcess node;

    @BeforeAll
    static void start() throws Exception {
        temp = Files.createTempDirectory("ledgerdisk-cluster-it");
        node = new ApplianceProcess(temp.resolve("data"), 1).start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (node != null) {
            node.close();
        }
        try (var files = Files.walk(temp)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /** {@code bin/ledgerdisk ARGS --api URL} against the shared node. */
    private static ExternalCommand.Result cli(String... args) throws Exception {
        return node.cli(args);
    }

    /** What a command printed on stdout alone (scripts parse it), its stderr and its exit code. */
    private record Split(int exitCode, String stdout, String stderr) {
    }

    /** {@code bin/ledgerdisk ARGS} with stdout kept apart from stderr. */
    private static Split launcher(String... args) throws Exception {
        File out = temp.resolve("stdout").toFile();
        File err = temp.resolve("stderr").toFile();
        List<String> command = new java.util.ArrayList<>(List.of(ApplianceProcess.LAUNCHER.toString()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectOutput(out).redirectError(err).start();
        if (!process.waitFor(2, TimeUnit.MINUTES)) {
            process.destroyForcibly().waitFor();
            throw new AssertionError(command + " did not finish within 2 minutes");
        }
        return new Split(process.exitValue(), Files.readString(out.toPath(), StandardCharsets.UTF_8),
                Files.readString(err.toPath(), StandardCharsets.UTF_8));
    }

    private static HttpResponse<String> http(String method, String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(node.apiUrl() + path))
                .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode get(String path) throws Exception {
        HttpResponse<String> response = http("GET", path);
        assertEquals(200, response.statusCode(), response.body());
        return JSON.readTree(response.body());
    }

    @Test
    void createsListsAndDeletesAPool() throws Exception {
        String created = cli("pool", "create", "fast", "--pg-count", "8", "--durability", "lazy", "--retention", "7d")
                .assertSuccess().output();
        assertTrue(created.contains("created pool fast") && created.contains("8 PGs (8 placed)"), created);
        String list = cli("pool", "list").assertSuccess().output();
        assertTrue(list.contains("fast") && list.contains("default"), list);

        JsonNode pool = get("/api/v1/pools/fast");
        assertEquals("lazy", pool.get("durability").asText());
        assertEquals(7 * 86_400, pool.get("retentionSeconds").asLong());
        assertEquals(1, pool.get("ensemble").asInt(), "one bookie: the node's default redundancy is 1/1/1");

        assertTrue(cli("pool", "delete", "fast").assertSuccess().output().contains("deleted pool fast"));
        assertFalse(cli("pool", "list").assertSuccess().output().contains("fast"));
        ExternalCommand.Result again = cli("pool", "delete", "fast");
        assertEquals(1, again.exitCode(), again.output());
        assertTrue(again.output().contains("HTTP 404"), again.output());
    }

    @Test
    void listsThisNodeAsAliveAtItsNbdAddress() throws Exception {
        String list = cli("node", "list").assertSuccess().output();
        assertTrue(list.contains("n1") && list.contains("up") && list.contains("127.0.0.1:" + node.nbdPort), list);
        JsonNode nodes = get("/api/v1/nodes");
        assertEquals(1, nodes.size(), nodes.toString());
        assertTrue(nodes.get(0).get("alive").asBoolean());
        assertTrue(nodes.get(0).get("failureDomains").hasNonNull("host"), nodes.toString());
    }

    @Test
    void mapsEveryPgOfTheDefaultPoolToThisNode() throws Exception {
        String map = cli("pg", "map", "default").assertSuccess().output();
        assertTrue(map.contains("64 PGs, 64 placed"), map);
        assertTrue(map.lines().anyMatch(line -> line.matches("n1\\s+64\\s+64")), map);

        JsonNode json = get("/api/v1/pools/default/pgs");
        assertEquals(64, json.get("pgs").size());
        for (JsonNode pg : json.get("pgs")) {
            assertEquals("[\"n1\"]", pg.get("nodes").toString(), pg.toString());
            assertTrue(pg.get("epoch").asLong() >= 1, pg.toString());
        }
        assertEquals(64, json.get("nodes").get(0).get("primaries").asInt());
    }

    @Test
    void aPoolWithVolumesCannotBeDeleted() throws Exception {
        cli("volume", "create", "in-default", "--size", "64M").assertSuccess();
        try {
            ExternalCommand.Result refused = cli("pool", "delete", "default");
            assertEquals(1, refused.exitCode(), refused.output());
            assertTrue(refused.output().contains("HTTP 409") && refused.output().contains("in-default"), refused.output());
            HttpResponse<String> response = http("DELETE", "/api/v1/pools/default");
            assertEquals(409, response.statusCode());
            assertEquals("CONFLICT", JSON.readTree(response.body()).get("error").asText());
        } finally {
            cli("volume", "delete", "in-default").assertSuccess();
        }
    }

    @Test
    void placementSimulateJsonIsOneParsableObject() throws Exception {
        StringBuilder weights = new StringBuilder();
        for (int i = 0; i < 60; i++) {
            weights.append(i == 0 ? "" : ",").append(1 + i % 3);
        }
        Split run = launcher("placement", "simulate", "--nodes", "60", "--domains", "12", "--pg-count", "4096", "--replicas", "3",
                "--remove", "3", "--weights", weights.toString(), "--seed", "42", "--json");
        assertEquals(0, run.exitCode(), run.stderr());
        JsonNode report = JSON.readTree(run.stdout());
        assertEquals(1, run.stdout().strip().lines().count(), run.stdout());
        assertTrue(report.get("uniformity").asDouble() >= 0.96, run.stdout());
        assertEquals(0, report.get("domain_violations").asLong(), run.stdout());
        long moved = report.get("moved_pgs").asLong();
        long optimal = report.get("optimal_moved_pgs").asLong();
        assertTrue(optimal > 0 && moved <= optimal * 1.25, run.stdout());
        assertTrue(report.has("millis"), run.stdout());

        Split readable = launcher("placement", "simulate", "--nodes", "6", "--domains", "3", "--pg-count", "64", "--replicas", "2");
        assertEquals(0, readable.exitCode(), readable.stderr());
        assertTrue(readable.stdout().contains("uniformity") && readable.stdout().contains("node-5"), readable.stdout());
    }

    @Test
    void badCommandLinesExit2AndRefusalsExit1WithTheNodesMessage() throws Exception {
        Split badSimulation = launcher("placement", "simulate", "--nodes", "2", "--domains", "3", "--pg-count", "8",
                "--replicas", "2", "--json");
        assertEquals(2, badSimulation.exitCode(), badSimulation.stderr());
        assertEquals("", badSimulation.stdout());
        assertTrue(badSimulation.stderr().contains("--domains"), badSimulation.stderr());

        ExternalCommand.Result noBucket = cli("pool", "create", "cold", "--tier", "s3");
        assertEquals(2, noBucket.exitCode(), noBucket.output());
        assertTrue(noBucket.output().contains("--bucket"), noBucket.output());
        assertEquals(2, cli("pool", "create").exitCode());
        assertEquals(2, cli("pg", "map").exitCode());

        ExternalCommand.Result badName = cli("pool", "create", "Bad!");
        assertEquals(1, badName.exitCode(), badName.output());
        assertTrue(badName.output().contains("HTTP 400") && badName.output().contains("invalid pool name"), badName.output());
        ExternalCommand.Result missing = cli("pg", "map", "nope");
        assertEquals(1, missing.exitCode(), missing.output());
        assertTrue(missing.output().contains("HTTP 404"), missing.output());

        ExternalCommand.Result unreachable = ExternalCommand.run(ApplianceProcess.LAUNCHER.toString(), "node", "list", "--api",
                "http://127.0.0.1:1");
        assertEquals(1, unreachable.exitCode(), unreachable.output());
        assertTrue(unreachable.output().contains("cannot reach"), unreachable.output());
    }
}
