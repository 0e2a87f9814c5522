package io.ledgerdisk.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.ledgerdisk.web.api.ApiError;
import io.ledgerdisk.web.api.ClusterControl;
import io.ledgerdisk.web.api.DurationText;
import io.ledgerdisk.web.api.NodeView;
import io.ledgerdisk.web.api.PgMapView;
import io.ledgerdisk.web.api.PoolRequest;
import io.ledgerdisk.web.api.PoolView;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ClusterRoutesTest {

    /** In-memory pools on one node "n1"; a pool named "busy" has volumes and cannot be deleted. */
    static final class FakeCluster implements ClusterControl {
        final Map<String, PoolView> pools = new ConcurrentSkipListMap<>();
        volatile PoolRequest lastRequest;

        @Override
        public CompletableFuture<List<PoolView>> listPools() {
            return CompletableFuture.completedFuture(new ArrayList<>(pools.values()));
        }

        @Override
        public CompletableFuture<PoolView> pool(String name) {
            PoolView pool = pools.get(name);
            return pool == null ? CompletableFuture.failedFuture(new ApiError(ApiError.Kind.NOT_FOUND, "no pool " + name))
                    : CompletableFuture.completedFuture(pool);
        }

        @Override
        public CompletableFuture<PoolView> createPool(PoolRequest request) {
            lastRequest = request;
            PoolRequest.Redundancy r = request.redundancy(1);
            long retention = request.retentionSeconds() == null ? PoolRequest.DEFAULT_RETENTION_SECONDS : request.retentionSeconds();
            PoolView pool = new PoolView(request.name(), request.pgCount() == null ? PoolRequest.DEFAULT_PG_COUNT : request.pgCount(),
                    r.ensemble(), r.writeQuorum(), r.ackQuorum(), "immediate", "host", "local", null,
                    DurationText.format(retention), retention, 0);
            if (pools.putIfAbsent(request.name(), pool) != null) {
                return CompletableFuture.failedFuture(new ApiError(ApiError.Kind.CONFLICT, "pool " + request.name() + " exists"));
            }
            return CompletableFuture.completedFuture(pool);
        }

        @Override
        public CompletableFuture<Void> deletePool(String name) {
            if (name.equals("busy")) {
                return CompletableFuture.failedFuture(new ApiError(ApiError.Kind.CONFLICT, "pool 'busy' still has 1 volume(s)"));
            }
            return pools.remove(name) == null
                    ? CompletableFuture.failedFuture(new ApiError(ApiError.Kind.NOT_FOUND, "no pool " + name))
                    : CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletableFuture<List<NodeView>> listNodes() {
            return CompletableFuture.completedFuture(List.of(
                    new NodeView("n1", List.of("127.0.0.1:10809"), Map.of("host", "h1"), 1.0, true, "2024-01-01T00:00:00Z")));
        }

        @Override
        public CompletableFuture<PgMapView> pgMap(String pool) {
            if (!pools.containsKey(pool)) {
                return CompletableFuture.failedFuture(new ApiError(ApiError.Kind.NOT_FOUND, "no pool " + pool));
            }
            return CompletableFuture.completedFuture(PgMapView.of(pool, List.of(
                    new PgMapView.Pg(0, List.of("n1"), 1), new PgMapView.Pg(1, List.of(), 0))));
        }
    }

    private Vertx vertx;
    private ApiServer server;
    private FakeCluster cluster;
    private final HttpClient http = HttpClient.newHttpClient();
    private String base;

    @BeforeEach
    void start() {
        vertx = Vertx.vertx();
        cluster = new FakeCluster();
        server = new ApiServer(vertx, "127.0.0.1", 0, new ApiServerTest.FakeControlPlane(), cluster);
        base = "http://127.0.0.1:" + server.start().join();
    }

    @AfterEach
    void stop() {
        server.close();
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    private HttpResponse<String> call(String method, String path, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path));
        request.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(HttpResponse<String> response) throws Exception {
        return ApiServer.JSON.readTree(response.body());
    }

    @Test
    void createsListsShowsAndDeletesPools() throws Exception {
        HttpResponse<String> created = call("POST", "/api/v1/pools",
                "{\"name\": \"fast\", \"pgCount\": 32, \"replicas\": 3, \"durability\": \"LAZY\", \"retention\": \"7d\"}");
        assertEquals(201, created.statusCode(), created.body());
        assertEquals(3, json(created).get("ensemble").asInt());
        assertEquals(2, json(created).get("ackQuorum").asInt());
        assertEquals("7d", json(created).get("retention").asText());
        assertEquals("lazy", cluster.lastRequest.durability());
        assertEquals(7 * 86_400L, cluster.lastRequest.retentionSeconds());

        assertEquals(1, json(call("GET", "/api/v1/pools", null)).size());
        assertEquals(32, json(call("GET", "/api/v1/pools/fast", null)).get("pgCount").asInt());
        assertEquals(204, call("DELETE", "/api/v1/pools/fast", null).statusCode());
        assertEquals(404, call("GET", "/api/v1/pools/fast", null).statusCode());
    }

    @Test
    void servesNodesAndPgMapsWithPerNodeCounts() throws Exception {
        call("POST", "/api/v1/pools", "{\"name\": \"default\"}");
        JsonNode nodes = json(call("GET", "/api/v1/nodes", null));
        assertEquals("n1", nodes.get(0).get("id").asText());
        assertEquals("h1", nodes.get(0).get("failureDomains").get("host").asText());

        HttpResponse<String> map = call("GET", "/api/v1/pools/default/pgs", null);
        assertEquals(200, map.statusCode());
        JsonNode body = json(map);
        assertEquals(2, body.get("pgCount").asInt());
        assertEquals(1, body.get("placedPgs").asInt());
        assertEquals("n1", body.get("pgs").get(0).get("nodes").get(0).asText());
        assertEquals(1, body.get("pgs").get(0).get("epoch").asLong());
        assertEquals(1, body.get("nodes").get(0).get("primaries").asInt());
        assertEquals(404, call("GET", "/api/v1/pools/nope/pgs", null).statusCode());
    }

    @Test
    void refusalsAre4xxWithAJsonErrorBody() throws Exception {
        HttpResponse<String> busy = call("DELETE", "/api/v1/pools/busy", null);
        assertEquals(409, busy.statusCode());
        assertEquals("CONFLICT", json(busy).get("error").asText());
        assertTrue(json(busy).get("message").asText().contains("volume"));

        for (String bad : List.of("{not json", "[1]", "{\"pgCount\": 4}", "{\"name\": \"x\", \"pgCount\": -1}",
                "{\"name\": \"x\", \"pgCount\": \"many\"}", "{\"name\": \"x\", \"durability\": \"sometimes\"}",
                "{\"name\": \"x\", \"tier\": \"tape\"}", "{\"name\": \"x\", \"retention\": \"forever\"}",
                "{\"name\": \"x\", \"replica\": 3}")) {
            HttpResponse<String> response = call("POST", "/api/v1/pools", bad);
            assertEquals(400, response.statusCode(), bad);
            assertEquals("BAD_REQUEST", json(response).get("error").asText(), bad);
            assertTrue(!json(response).get("message").asText().isBlank(), bad);
        }
        assertEquals(404, call("DELETE", "/api/v1/pools/nope", null).statusCode());
        assertEquals(405, call("PUT", "/api/v1/nodes", "{}").statusCode());
    }

    @Test
    void withoutAClusterControlThePoolRoutesAreAbsent() throws Exception {
        ApiServer volumesOnly = new ApiServer(vertx, "127.0.0.1", 0, new ApiServerTest.FakeControlPlane());
        int port = volumesOnly.start().join();
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + "/api/v1/pools")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(404, response.statusCode());
        } finally {
            volumesOnly.close();
        }
    }
}
