package io.ledgerdisk.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.ledgerdisk.web.api.ApiError;
import io.ledgerdisk.web.api.ClusterControl;
import io.ledgerdisk.web.api.PoolRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * The cluster-metadata routes of the REST API, over a {@link ClusterControl}:
 * <pre>
 *   GET    /api/v1/pools              every pool
 *   POST   /api/v1/pools              create one ({@link PoolRequest}) → 201
 *   GET    /api/v1/pools/:name        one pool
 *   DELETE /api/v1/pools/:name        delete it → 204; 409 while it has volumes
 *   GET    /api/v1/pools/:name/pgs    its PG map with per-node copies and primaries
 *   GET    /api/v1/nodes              every node with liveness
 * </pre>
 * Errors have the same shape as the volume routes' ({@link ApiServer}).
 */
final class ClusterRoutes {

    private final ClusterControl control;

    private ClusterRoutes(ClusterControl control) {
        this.control = control;
    }

    /** Adds the routes to a router whose {@code /api/*} requests already pass a body handler. */
    static void mount(Router router, ClusterControl control) {
        ClusterRoutes routes = new ClusterRoutes(control);
        router.get("/api/v1/pools").handler(ctx -> ApiServer.respond(ctx, 200, control.listPools()));
        router.post("/api/v1/pools").handler(routes::createPool);
        router.get("/api/v1/pools/:name").handler(ctx -> ApiServer.respond(ctx, 200, control.pool(ctx.pathParam("name"))));
        router.delete("/api/v1/pools/:name").handler(ctx -> ApiServer.respond(ctx, 204, control.deletePool(ctx.pathParam("name"))));
        router.get("/api/v1/pools/:name/pgs").handler(ctx -> ApiServer.respond(ctx, 200, control.pgMap(ctx.pathParam("name"))));
        router.get("/api/v1/nodes").handler(ctx -> ApiServer.respond(ctx, 200, control.listNodes()));
    }

    private void createPool(RoutingContext ctx) {
        PoolRequest request;
        try {
            String text = ctx.body().asString();
            JsonNode body = ApiServer.JSON.readTree(text == null ? "" : text);
            request = PoolRequest.fromJson(body);
        } catch (JsonProcessingException e) {
            ApiServer.error(ctx, new ApiError(ApiError.Kind.BAD_REQUEST, "body is not JSON: " + e.getOriginalMessage()));
            return;
        } catch (ApiError e) {
            ApiServer.error(ctx, e);
            return;
        }
        ApiServer.respond(ctx, 201, control.createPool(request));
    }
}
