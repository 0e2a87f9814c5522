package io.ledgerdisk.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.ledgerdisk.web.api.ApiError;
import io.ledgerdisk.web.api.CompactionView;
import io.ledgerdisk.web.api.VerifyView;
import io.ledgerdisk.web.api.ControlPlane;
import io.ledgerdisk.web.api.VolumeView;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ApiServerTest {

    /** An in-memory control plane: enough to check the HTTP mapping. */
    static final class FakeControlPlane implements ControlPlane {
        final Map<String, VolumeView> volumes = new ConcurrentHashMap<>();
        volatile boolean metadataUp = true;

        @Override
        public Map<String, Boolean> health() {
            Map<String, Boolean> parts = new LinkedHashMap<>();
            parts.put("metadata", metadataUp);
            parts.put("nbd", true);
            return parts;
        }

        @Override
        public CompletableFuture<List<VolumeView>> listVolumes() {
            return CompletableFuture.completedFuture(new ArrayList<>(volumes.values()));
        }

        @Override
        public CompletableFuture<VolumeView> volume(String name) {
            VolumeView v = volumes.get(name);
            return v == null ? CompletableFuture.failedFuture(new ApiError(ApiError.Kind.NOT_FOUND, "no volume " + name))
                    : CompletableFuture.completedFuture(v);
        }

        @Override
        public CompletableFuture<VolumeView> createVolume(String name, long sizeBytes) {
            VolumeView v = new VolumeView(name, volumes.size() + 1, sizeBytes, List.of(), -1, "nbd://127.0.0.1:10809/" + name);
            if (volumes.putIfAbsent(name, v) != null) {
                return CompletableFuture.failedFuture(new ApiError(ApiError.Kind.CONFLICT, "volume " + name + " already exists"));
            }
            return CompletableFuture.completedFuture(v);
        }

        @Override
        public CompletableFuture<CompactionView> compactVolume(String name) {
            return volume(name).thenApply(v -> new CompactionView(name, 1, 7, 1, 4096));
        }

        @Override
        public CompletableFuture<VerifyView> verifyVolume(String name) {
            return volume(name).thenApply(v -> new VerifyView(name, 1, 1, 3, List.of("chunk c-1 frame at offset 64: CRC32C mismatch")));
        }

        @Override
        public CompletableFuture<Void> deleteVolume(String name) {
            return volumes.remove(name) == null
                    ? CompletableFuture.failedFuture(new ApiError(ApiError.Kind.NOT_FOUND, "no volume " + name))
                    : CompletableFuture.completedFuture(null);
        }
    }

    private Vertx vertx;
    private ApiServer server;
    private FakeControlPlane control;
    private final HttpClient http = HttpClient.newHttpClient();
    private String base;

    @BeforeEach
    void start() {
        vertx = Vertx.vertx();
        control = new FakeControlPlane();
        server = new ApiServer(vertx, "127.0.0.1", 0, control);
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
    void healthIs200OnlyWhenEveryPartIsUp() throws Exception {
        assertEquals(200, call("GET", "/api/v1/health", null).statusCode());
        control.metadataUp = false;
        HttpResponse<String> down = call("GET", "/api/v1/health", null);
        assertEquals(503, down.statusCode());
        assertEquals("down", json(down).get("status").asText());
        assertEquals(false, json(down).get("parts").get("metadata").asBoolean());
    }

    @Test
    void createsListsAndDeletesVolumes() throws Exception {
        HttpResponse<String> created = call("POST", "/api/v1/volumes", "{\"name\":\"vol1\",\"size\":\"10G\"}");
        assertEquals(201, created.statusCode());
        assertEquals(10L << 30, json(created).get("sizeBytes").asLong());
        assertEquals(1, json(call("GET", "/api/v1/volumes", null)).size());
        assertEquals(204, call("DELETE", "/api/v1/volumes/vol1", null).statusCode());
        assertEquals(0, json(call("GET", "/api/v1/volumes", null)).size());
    }

    @Test
    void refusalsAre4xxWithAJsonErrorBody() throws Exception {
        call("POST", "/api/v1/volumes", "{\"name\":\"vol1\",\"size\":4096}");
        HttpResponse<String> duplicate = call("POST", "/api/v1/volumes", "{\"name\":\"vol1\",\"size\":4096}");
        assertEquals(409, duplicate.statusCode());
        assertEquals("CONFLICT", json(duplicate).get("error").asText());

        HttpResponse<String> badSize = call("POST", "/api/v1/volumes", "{\"name\":\"vol2\",\"size\":\"lots\"}");
        assertEquals(400, badSize.statusCode());
        assertTrue(json(badSize).get("message").asText().contains("not a size"));

        assertEquals(400, call("POST", "/api/v1/volumes", "{not json").statusCode());
        assertEquals(400, call("POST", "/api/v1/volumes", "[1,2]").statusCode());
        assertEquals(404, call("DELETE", "/api/v1/volumes/nope", null).statusCode());
        HttpResponse<String> unknown = call("GET", "/api/v1/nothing-here", null);
        assertEquals(404, unknown.statusCode());
        assertEquals("NOT_FOUND", json(unknown).get("error").asText());
        assertEquals(405, call("PUT", "/api/v1/health", "{}").statusCode());
    }

    @Test
    void compactsAndVerifiesThroughTheApi() throws Exception {
        call("POST", "/api/v1/volumes", "{\"name\":\"vol1\",\"size\":4096}");
        HttpResponse<String> compacted = call("POST", "/api/v1/volumes/vol1/compact", null);
        assertEquals(200, compacted.statusCode());
        assertEquals(7, json(compacted).get("coveredSequence").asLong());
        HttpResponse<String> verified = call("POST", "/api/v1/volumes/vol1/verify", null);
        assertEquals(200, verified.statusCode());
        assertEquals(1, json(verified).get("problems").size());
        assertEquals(404, call("POST", "/api/v1/volumes/nope/compact", null).statusCode());
        assertEquals(405, call("GET", "/api/v1/volumes/vol1/compact", null).statusCode());
    }

    @Test
    void servesTheBrowserUi() throws Exception {
        HttpResponse<String> page = call("GET", "/", null);
        assertEquals(200, page.statusCode());
        assertTrue(page.body().contains("Ledgerdisk"));
    }
}
