package io.ledgerdisk.web.api;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * What the REST API controls of the cluster metadata: pools, nodes and PG maps. The appliance
 * implements it next to {@link ControlPlane}; the web layer only translates HTTP to these calls
 * and their failures ({@link ApiError}) to status codes. Implementations must not block: every
 * call returns a future.
 */
public interface ClusterControl {

    /** Every pool, ordered by name. */
    CompletableFuture<List<PoolView>> listPools();

    /** One pool; {@link ApiError.Kind#NOT_FOUND} if there is none. */
    CompletableFuture<PoolView> pool(String name);

    /** Creates a pool and places its PGs on the nodes; unset fields of the request take the node's defaults. */
    CompletableFuture<PoolView> createPool(PoolRequest request);

    /** Deletes a pool; {@link ApiError.Kind#CONFLICT} while volumes are in it. */
    CompletableFuture<Void> deletePool(String name);

    /** Every node of the cluster, ordered by id. */
    CompletableFuture<List<NodeView>> listNodes();

    /** A pool's PG map with per-node counts; {@link ApiError.Kind#NOT_FOUND} for an unknown pool. */
    CompletableFuture<PgMapView> pgMap(String pool);
}
