package io.ledgerdisk.appliance.node;

import io.ledgerdisk.journal.Durability;
import io.ledgerdisk.meta.MetaClient;
import io.ledgerdisk.meta.MetaException;
import io.ledgerdisk.meta.NodeRecord;
import io.ledgerdisk.meta.PgRecord;
import io.ledgerdisk.meta.PoolRecord;
import io.ledgerdisk.web.api.ApiError;
import io.ledgerdisk.web.api.ClusterControl;
import io.ledgerdisk.web.api.DurationText;
import io.ledgerdisk.web.api.NodeView;
import io.ledgerdisk.web.api.PgMapView;
import io.ledgerdisk.web.api.PoolRequest;
import io.ledgerdisk.web.api.PoolView;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's answers to the cluster-metadata routes: pools, nodes and PG maps, straight from
 * the metadata group (it validates and decides). A created pool is placed at once; if the
 * cluster has too few alive nodes or failure domains for its ensemble, the pool is kept
 * unplaced (its view says how many PGs have nodes) rather than refused.
 */
final class ClusterControlPlane implements ClusterControl {

    private static final Logger LOG = LoggerFactory.getLogger(ClusterControlPlane.class);

    private final MetaClient meta;
    private final int defaultEnsemble;
    private final PoolRecord.Durability defaultDurability;

    /** Pools created without redundancy or durability get the node's: see {@link DefaultPool}. */
    ClusterControlPlane(MetaClient meta, int bookies, Durability durability) {
        this.meta = meta;
        this.defaultEnsemble = DefaultPool.ensemble(bookies);
        this.defaultDurability = DefaultPool.durability(durability);
    }

    @Override
    public CompletableFuture<List<PoolView>> listPools() {
        return NodeControlPlane.translate(meta.pools().thenCompose(pools -> {
            List<CompletableFuture<PoolView>> views = pools.stream().map(this::view).toList();
            return CompletableFuture.allOf(views.toArray(CompletableFuture[]::new))
                    .thenApply(done -> views.stream().map(CompletableFuture::join).toList());
        }));
    }

    @Override
    public CompletableFuture<PoolView> pool(String name) {
        return NodeControlPlane.translate(meta.pools().thenCompose(pools -> view(pools.stream()
                .filter(pool -> pool.name().equals(name)).findFirst()
                .orElseThrow(() -> new ApiError(ApiError.Kind.NOT_FOUND, "no pool named '" + name + "'")))));
    }

    @Override
    public CompletableFuture<PoolView> createPool(PoolRequest request) {
        PoolRecord pool = record(request);
        return NodeControlPlane.translate(meta.createPool(pool)
                .thenCompose(created -> place(created.name()).thenApply(placed -> created))
                .thenCompose(this::view));
    }

    /** Places a pool's PGs; a cluster too small for the pool leaves them unplaced, which its view shows. */
    private CompletableFuture<Void> place(String pool) {
        return meta.rebalancePool(pool).handle((changed, failure) -> {
            if (failure == null) {
                LOG.info("pool {} placed: {} PG(s) changed", pool, changed.size());
                return null;
            }
            Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
            if (cause instanceof MetaException e && e.code() == MetaException.Code.INVALID_ARGUMENT) {
                LOG.warn("pool {} created but not placed: {}", pool, e.getMessage());
                return null;
            }
            throw new CompletionException(cause);
        });
    }

    @Override
    public CompletableFuture<Void> deletePool(String name) {
        return NodeControlPlane.translate(meta.deletePool(name).thenAccept(deleted -> LOG.info("pool {} deleted", name)));
    }

    @Override
    public CompletableFuture<List<NodeView>> listNodes() {
        return NodeControlPlane.translate(meta.nodes().thenApply(nodes -> nodes.stream().map(ClusterControlPlane::view).toList()));
    }

    @Override
    public CompletableFuture<PgMapView> pgMap(String pool) {
        return NodeControlPlane.translate(meta.pgMap(pool).thenApply(pgs -> PgMapView.of(pool, pgs.stream()
                .map(pg -> new PgMapView.Pg(pg.pg(), pg.nodes(), pg.epoch())).toList())));
    }

    /** The pool a request asks for, with the node's defaults for what it leaves out. */
    PoolRecord record(PoolRequest request) {
        PoolRequest.Redundancy redundancy = request.redundancy(defaultEnsemble);
        PoolRecord.Durability durability = request.durability() == null ? defaultDurability
                : PoolRecord.Durability.valueOf(request.durability().toUpperCase(Locale.ROOT));
        PoolRecord.ChunkTier tier = request.tier() == null ? PoolRecord.ChunkTier.LOCAL
                : PoolRecord.ChunkTier.valueOf(request.tier().toUpperCase(Locale.ROOT));
        long retentionSeconds = request.retentionSeconds() == null ? PoolRequest.DEFAULT_RETENTION_SECONDS : request.retentionSeconds();
        return new PoolRecord(request.name(), redundancy.ensemble(), redundancy.writeQuorum(), redundancy.ackQuorum(), durability,
                request.pgCount() == null ? PoolRequest.DEFAULT_PG_COUNT : request.pgCount(),
                request.failureDomain() == null ? PoolRequest.DEFAULT_FAILURE_DOMAIN : request.failureDomain(),
                tier, request.bucket(), TimeUnit.SECONDS.toMicros(retentionSeconds));
    }

    private CompletableFuture<PoolView> view(PoolRecord pool) {
        return meta.pgMap(pool.name()).thenApply(pgs -> view(pool, placed(pgs)));
    }

    static PoolView view(PoolRecord pool, int placedPgs) {
        long retentionSeconds = TimeUnit.MICROSECONDS.toSeconds(pool.retentionMicros());
        return new PoolView(pool.name(), pool.pgCount(), pool.ensemble(), pool.writeQuorum(), pool.ackQuorum(),
                pool.durability().name().toLowerCase(Locale.ROOT), pool.failureDomainLevel(),
                pool.chunkTier().name().toLowerCase(Locale.ROOT), pool.s3Bucket(), DurationText.format(retentionSeconds),
                retentionSeconds, placedPgs);
    }

    private static NodeView view(NodeRecord node) {
        Instant heartbeat = Instant.EPOCH.plus(node.lastHeartbeatMicros(), java.time.temporal.ChronoUnit.MICROS);
        return new NodeView(node.id(), node.addresses(), node.failureDomains(), node.weight(), node.alive(), heartbeat.toString());
    }

    private static int placed(List<PgRecord> pgs) {
        return (int) pgs.stream().filter(pg -> !pg.nodes().isEmpty()).count();
    }
}
