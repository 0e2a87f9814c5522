package io.ledgerdisk.journal;

import io.netty.buffer.ByteBuf;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongConsumer;

/**
 * A record of a {@link VolumeLog} with its sequence assigned and its bytes encoded, from append
 * until it is acknowledged (and, in LAZY mode, forced). Guarded by the owning log's lock; the
 * log owns one reference to {@link #bytes}.
 */
final class PendingRecord {
    final long sequence;
    final ByteBuf bytes;
    final CompletableFuture<Long> future;
    /** Runs once, in sequence order, before {@link #future} completes; may be null. */
    final LongConsumer onAcknowledged;
    /** Set once BookKeeper acknowledged the record; a record written again keeps it. */
    boolean acknowledged;

    PendingRecord(long sequence, ByteBuf bytes, CompletableFuture<Long> future, LongConsumer onAcknowledged) {
        this.sequence = sequence;
        this.bytes = bytes;
        this.future = future;
        this.onAcknowledged = onAcknowledged;
    }

    /** Tells the appender: the observer first (in the log's completion order), then the future. */
    void complete() {
        if (future.isDone()) {
            return;
        }
        if (onAcknowledged != null) {
            onAcknowledged.accept(sequence);
        }
        future.complete(sequence);
    }

    int size() {
        return bytes.readableBytes();
    }
}
