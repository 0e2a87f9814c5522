package io.ledgerdisk.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.ledgerdisk.web.api.ApiError;
import io.ledgerdisk.web.api.DurationText;
import io.ledgerdisk.web.api.SnapshotControl;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * The snapshot, clone, restore and garbage-collection routes of the REST API, over a
 * {@link SnapshotControl}:
 * <pre>
 *   POST   /api/v1/volumes/:name/snapshots        {"name": "s1"} → 201
 *   GET    /api/v1/volumes/:name/snapshots        the volume's snapshots
 *   DELETE /api/v1/volumes/:name/snapshots/:snap  → 204
 *   POST   /api/v1/volumes/:name/clone            {"snapshot": "s1", "name": "copy"} → 201
 *   POST   /api/v1/volumes/:name/restore          {"at": "2026-11-22T10:15:30.250Z", "name": "old"} or {"seq": 42, "name": "old"} → 201
 *   POST   /api/v1/gc                             {} or {"retention": "0s"} → 200
 * </pre>
 * Errors have the same shape as the volume routes' ({@link ApiServer}).
 */
final class SnapshotRoutes {

    private final SnapshotControl control;

    private SnapshotRoutes(SnapshotControl control) {
        this.control = control;
    }

    /** Adds the routes to a router whose {@code /api/*} requests already pass a body handler. */
    static void mount(Router router, SnapshotControl control) {
        SnapshotRoutes routes = new SnapshotRoutes(control);
        router.post("/api/v1/volumes/:name/snapshots").handler(routes::createSnapshot);
        router.get("/api/v1/volumes/:name/snapshots").handler(ctx -> ApiServer.respond(ctx, 200,
                control.listSnapshots(ctx.pathParam("name"))));
        router.delete("/api/v1/volumes/:name/snapshots/:snap").handler(ctx -> ApiServer.respond(ctx, 204,
                control.deleteSnapshot(ctx.pathParam("name"), ctx.pathParam("snap"))));
        router.post("/api/v1/volumes/:name/clone").handler(routes::clone);
        router.post("/api/v1/volumes/:name/restore").handler(routes::restore);
        router.post("/api/v1/gc").handler(routes::collectGarbage);
    }

    private void createSnapshot(RoutingContext ctx) {
        JsonNode body = body(ctx, "{\"name\": \"s1\"}");
        if (body != null) {
            String name = text(ctx, body, "name");
            if (name != null) {
                ApiServer.respond(ctx, 201, control.createSnapshot(ctx.pathParam("name"), name));
            }
        }
    }

    private void clone(RoutingContext ctx) {
        JsonNode body = body(ctx, "{\"snapshot\": \"s1\", \"name\": \"copy\"}");
        if (body == null) {
            return;
        }
        String snapshot = text(ctx, body, "snapshot");
        String name = snapshot == null ? null : text(ctx, body, "name");
        if (name != null) {
            ApiServer.respond(ctx, 201, control.cloneVolume(ctx.pathParam("name"), snapshot, name));
        }
    }

    private void restore(RoutingContext ctx) {
        JsonNode body = body(ctx, "{\"at\": \"2026-11-22T10:15:30.250Z\", \"name\": \"old\"}");
        if (body == null) {
            return;
        }
        String name = text(ctx, body, "name");
        if (name == null) {
            return;
        }
        JsonNode at = body.get("at");
        JsonNode seq = body.get("seq");
        if ((at == null) == (seq == null)) {
            ApiServer.error(ctx, new ApiError(ApiError.Kind.BAD_REQUEST,
                    "give exactly one of \"at\" (ISO-8601 UTC, e.g. 2026-11-22T10:15:30.250Z) and \"seq\" (a log sequence)"));
            return;
        }
        if (at != null) {
            Instant moment;
            try {
                moment = Instant.parse(at.asText());
            } catch (DateTimeParseException e) {
                ApiServer.error(ctx, new ApiError(ApiError.Kind.BAD_REQUEST, "\"at\" is '" + at.asText()
                        + "', not an ISO-8601 UTC time like 2026-11-22T10:15:30.250Z"));
                return;
            }
            ApiServer.respond(ctx, 201, control.restoreVolume(ctx.pathParam("name"), moment, -1, name));
        } else {
            if (!seq.canConvertToLong() || seq.asLong() < 0) {
                ApiServer.error(ctx, new ApiError(ApiError.Kind.BAD_REQUEST, "\"seq\" must be a log sequence number (0 or more)"));
                return;
            }
            ApiServer.respond(ctx, 201, control.restoreVolume(ctx.pathParam("name"), null, seq.asLong(), name));
        }
    }

    private void collectGarbage(RoutingContext ctx) {
        JsonNode body = body(ctx, "{\"retention\": \"24h\"}");
        if (body == null) {
            return;
        }
        Duration retention = null;
        JsonNode text = body.get("retention");
        if (text != null) {
            try {
                retention = Duration.ofSeconds(DurationText.parseSeconds(text.asText()));
            } catch (IllegalArgumentException e) {
                ApiServer.error(ctx, new ApiError(ApiError.Kind.BAD_REQUEST, "\"retention\": " + e.getMessage()));
                return;
            }
        }
        ApiServer.respond(ctx, 200, control.collectGarbage(retention));
    }

    /** The request's JSON object (an empty body is {}), or null after answering 400. */
    private static JsonNode body(RoutingContext ctx, String example) {
        String text = ctx.body().asString();
        if (text == null || text.isBlank()) {
            return ApiServer.JSON.createObjectNode();
        }
        try {
            JsonNode body = ApiServer.JSON.readTree(text);
            if (body != null && body.isObject()) {
                return body;
            }
        } catch (JsonProcessingException e) {
            ApiServer.error(ctx, new ApiError(ApiError.Kind.BAD_REQUEST, "body is not JSON: " + e.getOriginalMessage()));
            return null;
        }
        ApiServer.error(ctx, new ApiError(ApiError.Kind.BAD_REQUEST, "body must be a JSON object like " + example));
        return null;
    }

    /** A required string field, or null after answering 400. */
    private static String text(RoutingContext ctx, JsonNode body, String field) {
        JsonNode value = body.get(field);
        if (value == null || !value.isTextual() || value.asText().isEmpty()) {
            ApiServer.error(ctx, new ApiError(ApiError.Kind.BAD_REQUEST, "\"" + field + "\" is missing or not a string"));
            return null;
        }
        return value.asText();
    }
}
