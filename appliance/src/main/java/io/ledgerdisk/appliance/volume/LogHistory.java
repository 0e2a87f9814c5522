package io.ledgerdisk.appliance.volume;

import io.ledgerdisk.journal.JournalConfig;
import io.ledgerdisk.journal.record.LedgerRecordFormat;
import io.ledgerdisk.journal.record.LogRecord;
import io.netty.buffer.Unpooled;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Predicate;
import org.apache.bookkeeper.client.BKException;
import org.apache.bookkeeper.client.BookKeeper;
import org.apache.bookkeeper.client.api.DigestType;
import org.apache.bookkeeper.client.api.LedgerEntries;
import org.apache.bookkeeper.client.api.LedgerEntry;
import org.apache.bookkeeper.client.api.ReadHandle;

/**
 * Reads a volume's past log records for a point-in-time restore, without disturbing its writer:
 * ledgers are opened <em>without</em> recovery (no fencing), read up to their last confirmed
 * entry, and the ledger still being written is read on past it (entries the writer sent whose
 * confirmation has not been piggybacked yet) until the first entry that is not there.
 *
 * <p>Records are handed over in sequence order, each once (a record written again across a
 * ledger change is skipped), with a heap copy of their payload that the consumer may keep.
 * Not thread-safe; one read per instance.
 */
final class LogHistory {

    private static final int ENTRIES_PER_READ = 16;

    private final BookKeeper bookKeeper;
    private final JournalConfig config;
    private final long volumeId;
    private final Predicate<LogRecord> consumer;
    private long lastSequence;
    private boolean stopped;

    private LogHistory(BookKeeper bookKeeper, JournalConfig config, long volumeId, long afterSequence, Predicate<LogRecord> consumer) {
        this.bookKeeper = bookKeeper;
        this.config = config;
        this.volumeId = volumeId;
        this.lastSequence = afterSequence;
        this.consumer = consumer;
    }

    /**
     * Hands every record after {@code afterSequence} in {@code ledgerIds} to {@code consumer}
     * until it returns false or the log ends; completes with the last sequence handed over
     * ({@code afterSequence} if none). Fails with {@link VolumeOperationException} when a ledger
     * cannot be opened or read.
     */
    static CompletableFuture<Long> read(BookKeeper bookKeeper, JournalConfig config, long volumeId, List<Long> ledgerIds,
            long afterSequence, Predicate<LogRecord> consumer) {
        LogHistory history = new LogHistory(bookKeeper, config, volumeId, afterSequence, consumer);
        CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
        for (long ledgerId : ledgerIds) {
            chain = chain.thenCompose(v -> history.stopped ? CompletableFuture.completedFuture(null) : history.readLedger(ledgerId));
        }
        return chain.thenApply(v -> history.lastSequence);
    }

    private CompletableFuture<Void> readLedger(long ledgerId) {
        return bookKeeper.newOpenLedgerOp()
                .withLedgerId(ledgerId)
                .withRecovery(false)
                .withDigestType(DigestType.CRC32C)
                .withPassword(config.password())
                .execute()
                .exceptionally(error -> {
                    throw unreadable("open ledger " + ledgerId, error);
                })
                .thenCompose(handle -> firstEntryAfter(handle, 0, handle.getLastAddConfirmed())
                        .thenCompose(first -> readConfirmed(handle, first))
                        .thenCompose(v -> stopped || handle.isClosed()
                                ? CompletableFuture.<Void>completedFuture(null)
                                : readUnconfirmed(handle, Math.max(0, handle.getLastAddConfirmed() + 1)))
                        .whenComplete((v, error) -> handle.closeAsync()));
    }

    /**
     * The first confirmed entry in {@code [low, high]} that may hold a record after the ones
     * already handed over ({@code high + 1} if none): a binary search on each entry's last
     * sequence, which never decreases along a ledger. A restore from a recent manifest thus reads
     * a few entries of a long ledger instead of all of it.
     */
    private CompletableFuture<Long> firstEntryAfter(ReadHandle handle, long low, long high) {
        if (low > high || lastSequence <= 0) {
            return CompletableFuture.completedFuture(low);
        }
        long middle = (low + high) >>> 1;
        return handle.readAsync(middle, middle)
                .exceptionally(error -> {
                    throw unreadable("read entry " + middle + " of ledger " + handle.getId(), error);
                })
                .thenCompose(entries -> lastSequenceIn(handle.getId(), entries) > lastSequence
                        ? firstEntryAfter(handle, low, middle - 1)
                        : firstEntryAfter(handle, middle + 1, high));
    }

    private long lastSequenceIn(long ledgerId, LedgerEntries entries) {
        long last = 0;
        try (LedgerEntries batch = entries) {
            for (LedgerEntry entry : batch) {
                for (LogRecord record : LedgerRecordFormat.decode(ledgerId, entry.getEntryId(), entry.getEntryBuffer())) {
                    last = Math.max(last, record.sequence());
                }
            }
        }
        return last;
    }

    private CompletableFuture<Void> readConfirmed(ReadHandle handle, long firstEntry) {
        long lastEntry = handle.getLastAddConfirmed();
        if (stopped || firstEntry > lastEntry) {
            return CompletableFuture.completedFuture(null);
        }
        long batchEnd = Math.min(lastEntry, firstEntry + ENTRIES_PER_READ - 1);
        return handle.readAsync(firstEntry, batchEnd)
                .exceptionally(error -> {
                    throw unreadable("read entries " + firstEntry + ".." + batchEnd + " of ledger " + handle.getId(), error);
                })
                .thenCompose(entries -> {
                    accept(handle.getId(), entries);
                    return readConfirmed(handle, batchEnd + 1);
                });
    }

    /** The open ledger past its last confirmed entry: one entry at a time until one is missing (the end of the log). */
    private CompletableFuture<Void> readUnconfirmed(ReadHandle handle, long entry) {
        if (stopped) {
            return CompletableFuture.completedFuture(null);
        }
        return handle.readUnconfirmedAsync(entry, entry).handle((entries, error) -> {
            if (error != null) {
                if (isEndOfLog(error)) {
                    return CompletableFuture.<Void>completedFuture(null);
                }
                throw unreadable("read entry " + entry + " of open ledger " + handle.getId(), error);
            }
            accept(handle.getId(), entries);
            return readUnconfirmed(handle, entry + 1);
        }).thenCompose(next -> next);
    }

    private void accept(long ledgerId, LedgerEntries entries) {
        try (LedgerEntries batch = entries) {
            for (LedgerEntry entry : batch) {
                for (LogRecord record : LedgerRecordFormat.decode(ledgerId, entry.getEntryId(), entry.getEntryBuffer())) {
                    if (stopped || record.volumeId() != volumeId || record.sequence() <= lastSequence) {
                        continue;
                    }
                    LogRecord copy = new LogRecord(record.volumeId(), record.sequence(), record.timestampMicros(), record.type(),
                            record.offset(), record.length(), Unpooled.copiedBuffer(record.payload()));
                    if (!consumer.test(copy)) {
                        stopped = true;
                        return;
                    }
                    lastSequence = record.sequence();
                }
            }
        }
    }

    /** Reading past the written end of an open ledger: no bookie has the entry. */
    private static boolean isEndOfLog(Throwable error) {
        int code = BKException.getExceptionCode(unwrap(error));
        return code == BKException.Code.NoSuchEntryException || code == BKException.Code.NoSuchLedgerExistsException
                || code == BKException.Code.NoSuchLedgerExistsOnMetadataServerException;
    }

    private VolumeOperationException unreadable(String what, Throwable error) {
        Throwable cause = unwrap(error);
        return new VolumeOperationException(VolumeOperationException.Kind.UNAVAILABLE, "cannot " + what + " of volume " + volumeId
                + " to restore from it (check that its bookies are up): " + cause.getMessage(), cause);
    }

    private static Throwable unwrap(Throwable error) {
        return error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    }
}
