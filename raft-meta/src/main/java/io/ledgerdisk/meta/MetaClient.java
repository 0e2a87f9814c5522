package io.ledgerdisk.meta;

import io.ledgerdisk.meta.command.CommandCodec;
import io.ledgerdisk.meta.command.MetaCommand;
import io.ledgerdisk.meta.command.MetaQuery;
import io.ledgerdisk.meta.command.MetaReply;
import io.ledgerdisk.meta.ratis.MetaGroup;
import io.ledgerdisk.meta.ratis.MetaProperties;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.List;
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
