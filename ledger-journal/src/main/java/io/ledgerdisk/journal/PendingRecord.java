package io.ledgerdisk.journal;

import io.netty.buffer.ByteBuf;
import java.util.concurrent.CompletableFuture;

/**
 * A record of a {@link VolumeLog} with its sequence assigned and its bytes encoded, from append
 * until it is acknowledged (and, in LAZY mode, forced). Guarded by the owning log's lock; the
 * log owns one reference to {@link #bytes}.
 */
final class PendingRecord {
    final long sequence;
    final ByteBuf bytes;
    final CompletableFuture<Long> future;
    /** Set once BookKeeper acknowledged the record; a record written again keeps it. */
    boolean acknowledged;

    PendingRecord(long sequence, ByteBuf bytes, CompletableFuture<Long> future) {
        this.sequence = sequence;
        this.bytes = bytes;
        this.future = future;
    }

    int size() {
        return bytes.readableBytes();
    }
}
