package io.ledgerdisk.meta;

import io.ledgerdisk.meta.command.CommandCodec;
import io.ledgerdisk.meta.command.MetaCommand;
import io.ledgerdisk.meta.command.MetaQuery;
import io.ledgerdisk.meta.command.MetaReply;
import io.ledgerdisk.meta.ratis.MetaGroup;
import io.ledgerdisk.meta.ratis.MetaProperties;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.retry.RetryPolicy;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.util.TimeDuration;

/**
 * Async client of the metadata group. Commands go to the leader through the Raft log;
 * reads are linearizable queries. A refused command completes the future exceptionally with
 * a {@link MetaException} carrying the state machine's code and message; a group that cannot
 * be reached within the retry budget (about 15 s) gives {@link MetaException.Code#UNAVAILABLE}.
 * Retries of one call are de-duplicated by the group's retry cache. Thread-safe.
 */
public final class MetaClient implements AutoCloseable {

    private static final RetryPolicy RETRY =
            RetryPolicies.retryUpToMaximumCountWithFixedSleep(150, TimeDuration.valueOf(100, TimeUnit.MILLISECONDS));

    private final RaftClient client;

    private MetaClient(RaftClient client) {
        this.client = client;
    }

    /** A client of the group made of these peers. Does not block: connections are made on first use. */
    public static MetaClient connect(List<MetaPeer> peers) {
        RaftClient client = RaftClient.newBuilder()
                .setRaftGroup(MetaGroup.of(peers))
                .setProperties(MetaProperties.client())
                .setRetryPolicy(RETRY)
                .build();
        return new MetaClient(client);
    }

    /** Creates a volume; the state machine assigns its id. */
    public CompletableFuture<VolumeRecord> createVolume(String name, long sizeBytes) {
        return submit(new MetaCommand.CreateVolume(name, sizeBytes, nowMicros())).thenApply(MetaReply::volume);
    }

    /** Creates a volume in a pool; its PG is a stable hash of the name. */
    public CompletableFuture<VolumeInfo> createVolume(String name, long sizeBytes, String pool) {
        Objects.requireNonNull(pool, "pool");
        return submit(new MetaCommand.CreateVolume(name, sizeBytes, nowMicros(), pool)).thenApply(MetaReply::volumeInfo);
    }

    /** A volume with its pool, PG and manifest history, if it exists (linearizable). */
    public CompletableFuture<Optional<VolumeInfo>> volumeInfo(String name) {
        return query(new MetaQuery.GetVolumeInfo(name)).thenApply(reply -> Optional.ofNullable(reply.volumeInfo()));
    }

    /** Commits the next manifest version of a volume (version = head + 1); retrying the head is a no-op. */
    public CompletableFuture<VolumeInfo> commitManifest(long volumeId, ManifestVersion manifest) {
        return submit(new MetaCommand.CommitManifest(volumeId, manifest)).thenApply(MetaReply::volumeInfo);
    }

    /** Takes snapshot {@code name} of {@code volume}, pinning its committed manifest {@code manifestVersion} (0: empty). */
    public CompletableFuture<VolumeInfo> createSnapshot(String volume, String name, long manifestVersion) {
        return submit(new MetaCommand.CreateSnapshot(volume, name, manifestVersion, nowMicros())).thenApply(MetaReply::volumeInfo);
    }

    /** Deletes a snapshot; {@link MetaException.Code#NOT_FOUND} if there is none. */
    public CompletableFuture<VolumeInfo> deleteSnapshot(String volume, String name) {
        return submit(new MetaCommand.DeleteSnapshot(volume, name)).thenApply(MetaReply::volumeInfo);
    }

    /** Reserves the id of a volume that {@link #createVolumeFrom} will create. */
    public CompletableFuture<Long> reserveVolumeId() {
        return submit(new MetaCommand.ReserveVolumeId()).thenApply(MetaReply::reservedVolumeId);
    }

    /**
     * Creates a clone or restored volume under a reserved id with its first manifest committed,
     * in one command; {@code pool} may be null.
     */
    public CompletableFuture<VolumeInfo> createVolumeFrom(String name, long volumeId, long sizeBytes, String pool, String origin,
                                                          ManifestVersion first) {
        return submit(new MetaCommand.CreateVolumeFrom(name, volumeId, sizeBytes, nowMicros(), pool, origin, first))
                .thenApply(MetaReply::volumeInfo);
    }

    /** Drops the volume's manifest versions older than {@code keepFrom} that no snapshot pins and no restore needs. */
    public CompletableFuture<VolumeInfo> trimManifests(long volumeId, Instant keepFrom) {
        long micros = keepFrom.getEpochSecond() * 1_000_000L + keepFrom.getNano() / 1_000;
        return submit(new MetaCommand.TrimManifests(volumeId, micros)).thenApply(MetaReply::volumeInfo);
    }

    /** Adds a node or updates its addresses, failure-domain tags and weight; the node counts as alive. */
    public CompletableFuture<NodeRecord> registerNode(String id, List<String> addresses, Map<String, String> failureDomains,
                                                      double weight) {
        return submit(new MetaCommand.RegisterNode(id, addresses, failureDomains, weight, nowMicros()))
                .thenApply(reply -> reply.nodes().get(0));
    }

    /** Tells the group that a node is alive now. */
    public CompletableFuture<NodeRecord> heartbeat(String nodeId) {
        return submit(new MetaCommand.NodeHeartbeat(nodeId, nowMicros())).thenApply(reply -> reply.nodes().get(0));
    }

    /**
     * Marks down the nodes whose last heartbeat is older than {@code timeout}, failing over the
     * PGs they were primary for. Meant to be called periodically by the node hosting the leader.
     *
     * @return the nodes that went down
     */
    public CompletableFuture<List<NodeRecord>> markNodesDown(Duration timeout) {
        long timeoutMicros = TimeUnit.NANOSECONDS.toMicros(timeout.toNanos());
        return submit(new MetaCommand.MarkNodesDown(nowMicros(), timeoutMicros)).thenApply(MetaReply::nodes);
    }

    /** Changes a node's placement weight; PGs move at the next {@link #rebalancePool}. */
    public CompletableFuture<NodeRecord> setNodeWeight(String nodeId, double weight) {
        return submit(new MetaCommand.SetNodeWeight(nodeId, weight)).thenApply(reply -> reply.nodes().get(0));
    }

    /** Forgets a node; PGs it was primary for fail over to their next node. */
    public CompletableFuture<Void> removeNode(String nodeId) {
        return submit(new MetaCommand.RemoveNode(nodeId)).thenApply(reply -> null);
    }

    /** Every node, ordered by id (linearizable). */
    public CompletableFuture<List<NodeRecord>> nodes() {
        return query(new MetaQuery.ListNodes()).thenApply(MetaReply::nodes);
    }

    /** Creates a pool; creating the same pool again is a no-op. */
    public CompletableFuture<PoolRecord> createPool(PoolRecord pool) {
        return submit(new MetaCommand.CreatePool(pool)).thenApply(reply -> reply.pools().get(0));
    }

    /**
     * Deletes a pool and its PG map: {@link MetaException.Code#NOT_FOUND} if there is none,
     * {@link MetaException.Code#CONFLICT} while volumes are in it.
     *
     * @return the deleted pool
     */
    public CompletableFuture<PoolRecord> deletePool(String pool) {
        return submit(new MetaCommand.DeletePool(pool)).thenApply(reply -> reply.pools().get(0));
    }

    /** Every pool, ordered by name (linearizable). */
    public CompletableFuture<List<PoolRecord>> pools() {
        return query(new MetaQuery.ListPools()).thenApply(MetaReply::pools);
    }

    /**
     * Places the pool's PGs on the alive, weighted nodes, moving as few copies as possible.
     *
     * @return the PGs whose node list changed
     */
    public CompletableFuture<List<PgRecord>> rebalancePool(String pool) {
        return submit(new MetaCommand.RebalancePool(pool)).thenApply(MetaReply::pgs);
    }

    /** A pool's PG map, by PG number (linearizable). */
    public CompletableFuture<List<PgRecord>> pgMap(String pool) {
        return query(new MetaQuery.GetPgMap(pool)).thenApply(MetaReply::pgs);
    }

    /** Deletes a volume by name; {@link MetaException.Code#NOT_FOUND} if there is none. */
    public CompletableFuture<Void> deleteVolume(String name) {
        return submit(new MetaCommand.DeleteVolume(name)).thenApply(reply -> null);
    }

    /** Every volume, ordered by name (linearizable). */
    public CompletableFuture<List<VolumeRecord>> listVolumes() {
        return query(new MetaQuery.ListVolumes()).thenApply(MetaReply::volumes);
    }

    /** The volume with this name, if any (linearizable). */
    public CompletableFuture<Optional<VolumeRecord>> volume(String name) {
        return query(new MetaQuery.GetVolume(name)).thenApply(reply -> Optional.ofNullable(reply.volume()));
    }

    /** Forgets the volume's oldest ledgers (folded and out of retention); the caller then deletes them from BookKeeper. */
    public CompletableFuture<VolumeRecord> trimLedgers(long volumeId, List<Long> ledgerIds) {
        return submit(new MetaCommand.TrimLedgers(volumeId, List.copyOf(ledgerIds))).thenApply(MetaReply::volume);
    }

    /** Appends a ledger to a volume's log; retrying with the same ledger returns the volume unchanged. */
    public CompletableFuture<VolumeRecord> addLedger(long volumeId, LedgerRef ledger) {
        return submit(new MetaCommand.AddLedger(volumeId, ledger)).thenApply(MetaReply::volume);
    }

    /** Closes the connections to the group. */
    @Override
    public void close() {
        try {
            client.close();
        } catch (IOException e) {
            throw new UncheckedIOException("closing the metadata client failed", e);
        }
    }

    private CompletableFuture<MetaReply> submit(MetaCommand command) {
        Message message = toMessage(CommandCodec.encode(command));
        return call(() -> client.async().send(message), command);
    }

    private CompletableFuture<MetaReply> query(MetaQuery query) {
        Message message = toMessage(CommandCodec.encode(query));
        return call(() -> client.async().sendReadOnly(message), query);
    }

    private static CompletableFuture<MetaReply> call(Supplier<CompletableFuture<RaftClientReply>> send, Object request) {
        CompletableFuture<RaftClientReply> sent;
        try {
            sent = send.get();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(unavailable(request, e));
        }
        return sent.handle((reply, error) -> {
            if (error != null) {
                throw unavailable(request, error instanceof CompletionException && error.getCause() != null
                        ? error.getCause() : error);
            }
            if (!reply.isSuccess()) {
                throw unavailable(request, reply.getException());
            }
            return CommandCodec.decodeReply(reply.getMessage().getContent().toByteArray()).orThrow();
        });
    }

    private static MetaException unavailable(Object request, Throwable cause) {
        return new MetaException(MetaException.Code.UNAVAILABLE,
                "metadata group did not answer " + request + ": " + cause, cause);
    }

    private static Message toMessage(byte[] bytes) {
        return Message.valueOf(ByteString.copyFrom(bytes));
    }

    private static long nowMicros() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
    }
}
