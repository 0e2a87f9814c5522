package io.ledgerdisk.meta;

import io.ledgerdisk.meta.ratis.MetaGroup;
import io.ledgerdisk.meta.ratis.MetaProperties;
import io.ledgerdisk.meta.ratis.MetaStateMachine;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.SnapshotManagementRequest;
import org.apache.ratis.server.DivisionInfo;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.storage.RaftStorage;

/**
 * A Ratis peer holding the cluster metadata. The Raft log and the snapshots live under
 * {@link MetaServerConfig#storageDir()}; restarting on the same directory recovers the state
 * from the latest snapshot plus the log after it. Thread-safe.
 */
public final class MetaServer implements AutoCloseable {

    private static final long SNAPSHOT_TIMEOUT_MS = 30_000;

    private final RaftServer server;
    private final RaftPeerId peerId;
    private final ClientId adminClientId = ClientId.randomId();
    private final AtomicLong adminCallId = new AtomicLong();

    private MetaServer(RaftServer server, RaftPeerId peerId) {
        this.server = server;
        this.peerId = peerId;
    }

    /**
     * Starts the peer and blocks until it listens (not until a leader is elected: see
     * {@link #isReady()}). A storage directory without this group's data is formatted.
     *
     * @throws IOException if the storage directory cannot be used or the port is taken
     */
    public static MetaServer start(MetaServerConfig config) throws IOException {
        Files.createDirectories(config.storageDir());
        boolean existing = Files.isDirectory(config.storageDir().resolve(MetaGroup.GROUP_ID.getUuid().toString()));
        RaftPeerId peerId = RaftPeerId.valueOf(config.self().id());
        RaftServer server = RaftServer.newBuilder()
                .setServerId(peerId)
                .setGroup(MetaGroup.of(config.peers()))
                .setStateMachine(new MetaStateMachine())
                .setProperties(MetaProperties.server(config))
                .setOption(existing ? RaftStorage.StartupOption.RECOVER : RaftStorage.StartupOption.FORMAT)
                .build();
        try {
            server.start();
        } catch (IOException | RuntimeException e) {
            try {
                server.close();
            } catch (IOException closeFailure) {
                e.addSuppressed(closeFailure);
            }
            throw e;
        }
        return new MetaServer(server, peerId);
    }

    /** True when a leader is elected and this peer's state machine has applied every entry it knows committed. */
    public boolean isReady() {
        try {
            RaftServer.Division division = server.getDivision(MetaGroup.GROUP_ID);
            DivisionInfo info = division.getInfo();
            if (!info.isAlive() || info.getLeaderId() == null || (info.isLeader() && !info.isLeaderReady())) {
                return false;
            }
            return info.getLastAppliedIndex() >= division.getRaftLog().getLastCommittedIndex();
        } catch (IOException e) {
            // The group is not (or no longer) hosted here: not ready.
            return false;
        }
    }

    /** True if this peer is currently the leader of the metadata group. */
    public boolean isLeader() {
        try {
            return server.getDivision(MetaGroup.GROUP_ID).getInfo().isLeader();
        } catch (IOException e) {
            return false;
        }
    }

    /** This peer's id. */
    public String id() {
        return peerId.toString();
    }

    /**
     * Takes a snapshot of the state machine now (instead of waiting for the automatic trigger).
     *
     * @return a future of the log index the snapshot covers
     */
    public CompletableFuture<Long> takeSnapshot() {
        SnapshotManagementRequest request = SnapshotManagementRequest.newCreate(adminClientId, peerId,
                MetaGroup.GROUP_ID, adminCallId.incrementAndGet(), SNAPSHOT_TIMEOUT_MS, 1);
        CompletableFuture<RaftClientReply> reply;
        try {
            reply = server.snapshotManagementAsync(request);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        return reply.thenApply(r -> {
            if (!r.isSuccess()) {
                throw new CompletionException(new MetaException(MetaException.Code.UNAVAILABLE,
                        "snapshot on " + peerId + " failed: " + r.getException(), r.getException()));
            }
            return r.getLogIndex();
        });
    }

    /** Stops the peer and its threads. */
    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException e) {
            throw new UncheckedIOException("closing metadata peer " + peerId + " failed", e);
        }
    }
}
