package io.ledgerdisk.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ledgerdisk.web.api.ApiError;
import io.ledgerdisk.web.api.ByteSize;
import io.ledgerdisk.web.api.ClusterControl;
import io.ledgerdisk.web.api.ControlPlane;
import io.ledgerdisk.web.api.SnapshotControl;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.StaticHandler;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's HTTP server: the REST API under {@code /api/v1} and the browser UI at {@code /}.
 *
 * <p>Every answer is JSON. Refusals carry {@code {"error": KIND, "message": TEXT}} with a 4xx
 * status; a failure of the node itself is a 5xx with the same shape. Handlers never block the
 * event loop: they compose the {@link ControlPlane}'s futures.
 */
public final class ApiServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ApiServer.class);
    private static final int MAX_BODY_BYTES = 64 * 1024;
    static final ObjectMapper JSON = new ObjectMapper();

    private final Vertx vertx;
    private final String host;
    private final int port;
    private final ControlPlane control;
    private final ClusterControl cluster;
    private final SnapshotControl snapshots;
    private volatile HttpServer server;

    public ApiServer(Vertx vertx, String host, int port, ControlPlane control) {
        this(vertx, host, port, control, null);
    }

    /** A server that also serves the cluster-metadata routes ({@link ClusterRoutes}) when {@code cluster} is not null. */
    public ApiServer(Vertx vertx, String host, int port, ControlPlane control, ClusterControl cluster) {
        this(vertx, host, port, control, cluster, null);
    }

    /** A server that also serves the snapshot, clone, restore and GC routes ({@link SnapshotRoutes}) when {@code snapshots} is not null. */
    public ApiServer(Vertx vertx, String host, int port, ControlPlane control, ClusterControl cluster, SnapshotControl snapshots) {
        this.vertx = vertx;
        this.host = host;
        this.port = port;
        this.control = control;
        this.cluster = cluster;
        this.snapshots = snapshots;
    }

    /** Starts listening; completes with the bound port. */
    public CompletableFuture<Integer> start() {
        Router router = router();
        return vertx.createHttpServer(new HttpServerOptions().setHost(host).setPort(port))
                .requestHandler(router)
                .listen()
                .map(s -> {
                    server = s;
                    return s.actualPort();
                })
                .toCompletionStage()
                .toCompletableFuture();
    }

    public boolean isListening() {
        return server != null;
    }

    Router router() {
        Router router = Router.router(vertx);
        router.route("/api/*").handler(BodyHandler.create().setBodyLimit(MAX_BODY_BYTES));
        router.get("/api/v1/health").handler(this::health);
        router.get("/api/v1/volumes").handler(ctx -> respond(ctx, 200, control.listVolumes()));
        router.post("/api/v1/volumes").handler(this::createVolume);
        router.get("/api/v1/volumes/:name").handler(ctx -> respond(ctx, 200, control.volume(ctx.pathParam("name"))));
        router.delete("/api/v1/volumes/:name").handler(ctx -> respond(ctx, 204, control.deleteVolume(ctx.pathParam("name"))));
        router.post("/api/v1/volumes/:name/compact").handler(ctx -> respond(ctx, 200, control.compactVolume(ctx.pathParam("name"))));
        router.post("/api/v1/volumes/:name/verify").handler(ctx -> respond(ctx, 200, control.verifyVolume(ctx.pathParam("name"))));
        if (cluster != null) {
            ClusterRoutes.mount(router, cluster);
        }
        if (snapshots != null) {
            SnapshotRoutes.mount(router, snapshots);
        }
        router.getWithRegex("^/(?!api/).*").handler(StaticHandler.create("webroot"));
        router.errorHandler(404, ctx -> error(ctx, new ApiError(ApiError.Kind.NOT_FOUND,
                "no such resource: " + ctx.request().method() + " " + ctx.request().path())));
        router.errorHandler(405, ctx -> error(ctx, new ApiError(ApiError.Kind.METHOD_NOT_ALLOWED,
                ctx.request().method() + " is not allowed on " + ctx.request().path())));
        router.errorHandler(413, ctx -> error(ctx, new ApiError(ApiError.Kind.BAD_REQUEST,
                "request body is larger than " + MAX_BODY_BYTES + " bytes")));
        router.errorHandler(500, ctx -> error(ctx, ctx.failure()));
        return router;
    }

    private void health(RoutingContext ctx) {
        Map<String, Boolean> parts = control.health();
        boolean up = !parts.isEmpty() && parts.values().stream().allMatch(Boolean::booleanValue);
        ObjectNode body = JSON.createObjectNode();
        body.put("status", up ? "up" : "down");
        body.set("parts", JSON.valueToTree(parts));
        send(ctx, up ? 200 : 503, body);
    }

    private void createVolume(RoutingContext ctx) {
        JsonNode body;
        try {
            body = JSON.readTree(ctx.body().asString() == null ? "" : ctx.body().asString());
        } catch (JsonProcessingException e) {
            error(ctx, new ApiError(ApiError.Kind.BAD_REQUEST, "body is not JSON: " + e.getOriginalMessage()));
            return;
        }
        if (body == null || !body.isObject()) {
            error(ctx, new ApiError(ApiError.Kind.BAD_REQUEST, "body must be a JSON object like {\"name\": \"vol1\", \"size\": \"10G\"}"));
            return;
        }
        JsonNode name = body.get("name");
        JsonNode size = body.get("size");
        if (name == null || !name.isTextual()) {
            error(ctx, new ApiError(ApiError.Kind.BAD_REQUEST, "\"name\" is missing or not a string"));
            return;
        }
        long sizeBytes;
        try {
            sizeBytes = size == null ? -1 : size.isIntegralNumber() ? size.asLong() : ByteSize.parse(size.asText());
        } catch (IllegalArgumentException e) {
            error(ctx, new ApiError(ApiError.Kind.BAD_REQUEST, e.getMessage()));
            return;
        }
        if (sizeBytes <= 0) {
            error(ctx, new ApiError(ApiError.Kind.BAD_REQUEST, "\"size\" is missing or not positive; write it like \"10G\""));
            return;
        }
        respond(ctx, 201, control.createVolume(name.asText(), sizeBytes));
    }

    static void respond(RoutingContext ctx, int status, CompletionStage<?> answer) {
        Future.fromCompletionStage(answer, ctx.vertx().getOrCreateContext()).onComplete(result -> {
            if (result.succeeded()) {
                send(ctx, status, result.result());
            } else {
                error(ctx, result.cause());
            }
        });
    }

    private static void send(RoutingContext ctx, int status, Object body) {
        if (ctx.response().ended()) {
            return;
        }
        ctx.response().setStatusCode(status);
        if (status == 204 || body == null) {
            ctx.response().end();
            return;
        }
        try {
            ctx.response().putHeader("content-type", "application/json").end(JSON.writeValueAsString(body));
        } catch (JsonProcessingException e) {
            error(ctx, e);
        }
    }

    static void error(RoutingContext ctx, Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        int status;
        String kind;
        if (cause instanceof ApiError apiError) {
            status = apiError.kind().status();
            kind = apiError.kind().name();
        } else {
            status = 500;
            kind = "INTERNAL";
            LOG.error("{} {} failed", ctx.request().method(), ctx.request().path(), cause);
        }
        ObjectNode body = JSON.createObjectNode();
        body.put("error", kind);
        body.put("message", cause == null ? "internal error" : String.valueOf(cause.getMessage()));
        if (!ctx.response().ended()) {
            ctx.response().setStatusCode(status).putHeader("content-type", "application/json").end(body.toString());
        }
    }

    @Override
    public void close() {
        HttpServer s = server;
        if (s != null) {
            s.close().toCompletionStage().toCompletableFuture().join();
            server = null;
        }
    }
}
