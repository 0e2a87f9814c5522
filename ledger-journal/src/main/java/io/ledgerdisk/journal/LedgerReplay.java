package io.ledgerdisk.journal;

import io.ledgerdisk.journal.record.CorruptEntryException;
import io.ledgerdisk.journal.record.LedgerRecordFormat;
import io.ledgerdisk.journal.record.LogRecord;
import io.ledgerdisk.journal.record.RecordType;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.apache.bookkeeper.client.BookKeeper;
import org.apache.bookkeeper.client.api.DigestType;
import org.apache.bookkeeper.client.api.LedgerEntries;
import org.apache.bookkeeper.client.api.LedgerEntry;
import org.apache.bookkeeper.client.api.ReadHandle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a volume's ledgers in order and hands every record to a consumer. Every ledger is
 * opened with recovery: for the last one this fences any previous writer and fixes its end;
 * for earlier ones it is a no-op when they were closed, and closes them if a writer died while
 * rolling over. Not thread-safe; one replay per instance.
 */
final class LedgerReplay {
    private static final Logger LOG = LoggerFactory.getLogger(LedgerReplay.class);
    /** Entries per read request: bounds memory (entries are up to maxEntryBytes each). */
    private static final int ENTRIES_PER_READ = 16;
    /** Covers VolumeLog.MAX_UNFORCED_ENTRIES of small records, the most that can be written twice. */
    private static final int RECENT_RECORDS = 1 << 18;

    private final BookKeeper bookKeeper;
    private final JournalConfig config;
    private final long volumeId;
    private final Consumer<LogRecord> consumer;
    private long lastSequence;
    private long duplicates;

    /** What makes a record written twice recognisable: the same bytes carry the same stamp. */
    private record RecordIdentity(RecordType type, long timestampMicros, long offset, long length) {
    }

    /** The newest records by sequence, to recognise one written again; bounded like the unforced records. */
    private final Map<Long, RecordIdentity> recent = new LinkedHashMap<>() {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, RecordIdentity> eldest) {
            return size() > RECENT_RECORDS;
        }
    };

    private LedgerReplay(BookKeeper bookKeeper, JournalConfig config, long volumeId, Consumer<LogRecord> consumer) {
        this.bookKeeper = bookKeeper;
        this.config = config;
        this.volumeId = volumeId;
        this.consumer = consumer;
    }

    /**
     * Replays {@code ledgerIds} in order into {@code consumer} (each payload valid only during
     * the call) and completes with the last sequence seen, 0 if there was none.
     */
    static CompletableFuture<Long> replay(BookKeeper bookKeeper, JournalConfig config, long volumeId,
            List<Long> ledgerIds, Consumer<LogRecord> consumer) {
        LedgerReplay replay = new LedgerReplay(bookKeeper, config, volumeId, consumer);
        CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
        for (long ledgerId : ledgerIds) {
            chain = chain.thenCompose(v -> replay.replayLedger(ledgerId));
        }
        return chain.thenApply(v -> {
            if (replay.duplicates > 0) {
                LOG.info("volume {}: skipped {} records written twice across a ledger change", volumeId,
                        replay.duplicates);
            }
            return replay.lastSequence;
        });
    }

    private CompletableFuture<Void> replayLedger(long ledgerId) {
        return bookKeeper.newOpenLedgerOp()
                .withLedgerId(ledgerId)
                .withRecovery(true)
                .withDigestType(DigestType.CRC32C)
                .withPassword(config.password())
                .execute()
                .exceptionally(error -> {
                    throw new JournalException("cannot open ledger " + ledgerId + " of volume " + volumeId
                            + " with recovery; its records cannot be replayed until it is readable"
                            + " (check that enough of its bookies are up): " + BookKeeperErrors.describe(error),
                            BookKeeperErrors.unwrap(error));
                })
                .thenCompose(handle -> readFrom(handle, 0)
                        .whenComplete((v, error) -> handle.closeAsync()));
    }

    private CompletableFuture<Void> readFrom(ReadHandle handle, long firstEntry) {
        long lastEntry = handle.getLastAddConfirmed();
        if (firstEntry > lastEntry) {
            return CompletableFuture.completedFuture(null);
        }
        long batchEnd = Math.min(lastEntry, firstEntry + ENTRIES_PER_READ - 1);
        return handle.readAsync(firstEntry, batchEnd)
                .exceptionally(error -> {
                    throw new JournalException("cannot read entries " + firstEntry + ".." + batchEnd + " of ledger "
                            + handle.getId() + " (volume " + volumeId + "): " + BookKeeperErrors.describe(error),
                            BookKeeperErrors.unwrap(error));
                })
                .thenCompose(entries -> {
                    try (LedgerEntries batch = entries) {
                        for (LedgerEntry entry : batch) {
                            replayEntry(handle.getId(), entry);
                        }
                    }
                    return readFrom(handle, batchEnd + 1);
                });
    }

    private void replayEntry(long ledgerId, LedgerEntry entry) {
        List<LogRecord> records =
                LedgerRecordFormat.decode(ledgerId, entry.getEntryId(), entry.getEntryBuffer());
        for (LogRecord record : records) {
            if (record.volumeId() != volumeId) {
                throw new CorruptEntryException(ledgerId, entry.getEntryId(), "holds a record of volume "
                        + record.volumeId() + " but the ledger belongs to volume " + volumeId
                        + "; the catalog lists a foreign ledger");
            }
            RecordIdentity identity = new RecordIdentity(record.type(), record.timestampMicros(), record.offset(),
                    record.length());
            if (record.sequence() <= lastSequence) {
                if (identity.equals(recent.get(record.sequence()))) {
                    // Written again after its ledger lost a bookie before a force (VolumeLog,
                    // LAZY mode), and that ledger's recovery kept it too: replayed once already.
                    duplicates++;
                    continue;
                }
                throw new CorruptEntryException(ledgerId, entry.getEntryId(), "record sequence "
                        + record.sequence() + " does not follow " + lastSequence
                        + "; the catalog's ledger order is wrong or a ledger is listed twice");
            }
            lastSequence = record.sequence();
            recent.put(record.sequence(), identity);
            consumer.accept(record);
        }
    }
}
