package io.ledgerdisk.journal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * LAZY mode's acknowledged records that no successful force covers yet, and the
 * {@link VolumeLog#force()} callers waiting for them.
 *
 * <p>The records' bytes are kept because BookKeeper advances a {@code DEFERRED_SYNC} ledger's
 * last-add-confirmed only when it is forced, and a ledger that lost a bookie can never be
 * forced again: closing it cuts off the unforced entries. They are then written again, with
 * the same sequence numbers, at the head of the next ledger. Not thread-safe: guarded by the
 * owning log's lock.
 */
final class UnforcedRecords {
    private record Waiter(long sequence, CompletableFuture<Void> future) {
    }

    private final ArrayDeque<PendingRecord> records = new ArrayDeque<>();
    private final List<Waiter> waiters = new ArrayList<>();
    private long bytes;

    void add(PendingRecord record) {
        records.add(record);
        bytes += record.size();
    }

    long bytes() {
        return bytes;
    }

    boolean hasWaiters() {
        return !waiters.isEmpty();
    }

    /** Whether some record up to {@code sequence} is not yet forced. */
    boolean anyThrough(long sequence) {
        return !records.isEmpty() && records.peekFirst().sequence <= sequence;
    }

    /** A future that completes when every record up to {@code sequence} is durable. */
    CompletableFuture<Void> awaitDurable(long sequence) {
        CompletableFuture<Void> future = new CompletableFuture<>();
        waiters.add(new Waiter(sequence, future));
        return future;
    }

    /**
     * Every record up to {@code covered} is durable: release their bytes and collect the
     * completion of every waiter they satisfy.
     */
    void durableThrough(long covered, List<Runnable> completions) {
        while (!records.isEmpty() && records.peekFirst().sequence <= covered) {
            PendingRecord record = records.pollFirst();
            bytes -= record.size();
            record.bytes.release();
        }
        for (Iterator<Waiter> it = waiters.iterator(); it.hasNext(); ) {
            Waiter waiter = it.next();
            if (waiter.sequence() <= covered) {
                it.remove();
                completions.add(() -> waiter.future().complete(null));
            }
        }
    }

    /** Removes every record, oldest first, to be written again; the waiters stay. */
    List<PendingRecord> takeAll() {
        List<PendingRecord> taken = new ArrayList<>(records);
        records.clear();
        bytes = 0;
        return taken;
    }

    /** The record with {@code sequence} will never be durable: fail every waiter that needs it. */
    void failWaitersFrom(long sequence, JournalException failure, List<Runnable> completions) {
        for (Iterator<Waiter> it = waiters.iterator(); it.hasNext(); ) {
            Waiter waiter = it.next();
            if (waiter.sequence() >= sequence) {
                it.remove();
                completions.add(() -> waiter.future().completeExceptionally(failure));
            }
        }
    }

    /** Gives up on everything: fail every waiter and release every record. */
    void abandon(JournalException failure, List<Runnable> completions) {
        takeAll().forEach(record -> record.bytes.release());
        failWaitersFrom(Long.MIN_VALUE, failure, completions);
    }
}
