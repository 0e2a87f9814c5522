package io.ledgerdisk.appliance.node;

import io.ledgerdisk.meta.MetaClient;
import io.ledgerdisk.meta.MetaException;
import io.ledgerdisk.meta.NodeRecord;
import io.ledgerdisk.meta.PgRecord;
import io.ledgerdisk.meta.PoolRecord;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's membership in the cluster metadata. {@link #start} registers the node (id from
 * {@code node.properties}, its NBD address, failure domain {@code host=<hostname>}, keeping a
 * weight an operator set), creates the {@code default} pool on the node's first start and
 * places every pool on the alive nodes. Afterwards a timer thread heartbeats every
 * {@link #HEARTBEAT_INTERVAL} and, while this node's metadata peer leads the group, marks down
 * the nodes silent for longer than {@link #LIVENESS_TIMEOUT} (their PGs fail over). The timer
 * thread is the only one that touches its fields after start.
 */
final class NodeMembership implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(NodeMembership.class);

    /** How often the node tells the group it is alive. */
    static final Duration HEARTBEAT_INTERVAL = Duration.ofSeconds(2);
    /** A node silent for longer is marked down; several missed heartbeats, so a GC pause does not fail PGs over. */
    static final Duration LIVENESS_TIMEOUT = Duration.ofSeconds(15);
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);

    private final MetaClient meta;
    private final String nodeId;
    private final BooleanSupplier leader;
    private final ScheduledExecutorService timer;
    private boolean heartbeatFailing;

    private NodeMembership(MetaClient meta, String nodeId, BooleanSupplier leader) {
        this.meta = meta;
        this.nodeId = nodeId;
        this.leader = leader;
        this.timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "ledgerdisk-membership");
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * Registers the node, creates the default pool on the first start, places the pools and
     * starts the heartbeat timer. Blocks on the metadata group (at most about 30 s per call).
     *
     * @param leader true while this node's metadata peer leads the group (only the leader marks nodes down)
     */
    static NodeMembership start(MetaClient meta, NodeState state, HostPort nbd, NodeConfig config, BooleanSupplier leader)
            throws InterruptedException, ExecutionException, TimeoutException {
        NodeMembership membership = new NodeMembership(meta, state.nodeId(), leader);
        membership.register(nbd);
        if (!state.defaultPoolCreated()) {
            membership.createDefaultPool(DefaultPool.record(config.bookies(), config.durability(), config.compaction().retention()));
            state.markDefaultPoolCreated();
        }
        membership.placePools();
        membership.timer.scheduleWithFixedDelay(membership::tick, HEARTBEAT_INTERVAL.toMillis(), HEARTBEAT_INTERVAL.toMillis(),
                TimeUnit.MILLISECONDS);
        return membership;
    }

    private void register(HostPort nbd) throws InterruptedException, ExecutionException, TimeoutException {
        Optional<NodeRecord> existing = await(meta.nodes()).stream().filter(node -> node.id().equals(nodeId)).findFirst();
        double weight = existing.map(NodeRecord::weight).orElse(1.0);
        NodeRecord node = await(meta.registerNode(nodeId, List.of(nbd.toString()), Map.of("host", hostname()), weight));
        LOG.info("node {} registered: address {}, failure domains {}, weight {}", node.id(), node.addresses(),
                node.failureDomains(), node.weight());
    }

    private void createDefaultPool(PoolRecord pool) throws InterruptedException, ExecutionException, TimeoutException {
        Optional<PoolRecord> existing = await(meta.pools()).stream().filter(p -> p.name().equals(pool.name())).findFirst();
        if (existing.isPresent()) {
            LOG.info("pool {} already exists ({}); keeping it", pool.name(), existing.get());
            return;
        }
        await(meta.createPool(pool));
        LOG.info("pool {} created: {} PGs, E/Qw/Qa {}/{}/{}, {} durability", pool.name(), pool.pgCount(), pool.ensemble(),
                pool.writeQuorum(), pool.ackQuorum(), pool.durability().name().toLowerCase(java.util.Locale.ROOT));
    }

    /**
     * Places every pool on the alive nodes; placement is deterministic and moves nothing when
     * nothing changed. A pool the cluster is too small for stays as it is, with a warning.
     */
    private void placePools() throws InterruptedException, ExecutionException, TimeoutException {
        for (PoolRecord pool : await(meta.pools())) {
            try {
                List<PgRecord> changed = await(meta.rebalancePool(pool.name()));
                LOG.info("pool {} placed: {} of {} PG(s) changed", pool.name(), changed.size(), pool.pgCount());
            } catch (ExecutionException e) {
                if (e.getCause() instanceof MetaException refused && refused.code() == MetaException.Code.INVALID_ARGUMENT) {
                    LOG.warn("pool {} is not placed: {}", pool.name(), refused.getMessage());
                } else {
                    throw e;
                }
            }
        }
    }

    /** One timer round: heartbeat, then (on the leader) mark silent nodes down. Failures are logged, and retried next round. */
    private void tick() {
        try {
            await(meta.heartbeat(nodeId));
            if (heartbeatFailing) {
                LOG.info("node {} heartbeats reach the metadata group again", nodeId);
                heartbeatFailing = false;
            }
            if (leader.getAsBoolean()) {
                for (NodeRecord down : await(meta.markNodesDown(LIVENESS_TIMEOUT))) {
                    LOG.warn("node {} marked down: no heartbeat for more than {} s; its PGs failed over", down.id(),
                            LIVENESS_TIMEOUT.toSeconds());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            if (!heartbeatFailing) {
                Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
                LOG.warn("node {} heartbeat failed (retrying every {} s): {}", nodeId, HEARTBEAT_INTERVAL.toSeconds(), cause.toString());
                heartbeatFailing = true;
            }
        }
    }

    private static <T> T await(java.util.concurrent.CompletableFuture<T> future)
            throws InterruptedException, ExecutionException, TimeoutException {
        return future.get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The host's name for the {@code host} failure domain; a host without a resolvable name is "localhost". */
    static String hostname() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            LOG.warn("cannot resolve this host's name ({}); using failure domain host=localhost", e.getMessage());
            return "localhost";
        }
    }

    /**
     * Stops the heartbeats, letting a round in flight finish first (briefly) so that its request
     * is not cut off by the metadata client closing next; the group marks the node down after
     * {@link #LIVENESS_TIMEOUT}.
     */
    @Override
    public void close() throws InterruptedException {
        timer.shutdown();
        if (!timer.awaitTermination(5, TimeUnit.SECONDS)) {
            timer.shutdownNow();
            if (!timer.awaitTermination(5, TimeUnit.SECONDS)) {
                LOG.warn("membership timer did not stop within 10 s");
            }
        }
    }
}
