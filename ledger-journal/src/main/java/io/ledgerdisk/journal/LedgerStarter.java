package io.ledgerdisk.journal;

import static io.ledgerdisk.journal.BookKeeperErrors.describe;
import static io.ledgerdisk.journal.BookKeeperErrors.unwrap;

import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;
import org.apache.bookkeeper.client.BookKeeper;
import org.apache.bookkeeper.client.api.DigestType;
import org.apache.bookkeeper.client.api.WriteFlag;
import org.apache.bookkeeper.client.api.WriteHandle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the ledgers of one volume and records each in the {@link LedgerCatalog} before any
 * record is written to it, so that a ledger holding acknowledged records is always known to the
 * next writer. Thread-safe (stateless beyond its settings).
 */
final class LedgerStarter {
    private static final Logger LOG = LoggerFactory.getLogger(LedgerStarter.class);

    private final BookKeeper bookKeeper;
    private final JournalConfig config;
    private final long volumeId;
    private final LedgerCatalog catalog;

    LedgerStarter(BookKeeper bookKeeper, JournalConfig config, long volumeId, LedgerCatalog catalog) {
        this.bookKeeper = bookKeeper;
        this.config = config;
        this.volumeId = volumeId;
        this.catalog = catalog;
    }

    /**
     * Creates a ledger and records it in the catalog. {@code firstSequence} is asked once the
     * ledger exists (records appended meanwhile wait for this ledger). A ledger the catalog
     * refuses is deleted: nobody would ever read or delete it otherwise.
     *
     * @return the ledger, ready for records; or a future failed with {@link JournalException}
     */
    CompletableFuture<WriteHandle> start(LongSupplier firstSequence, long createdMicros) {
        return create(config.ensembleSize())
                .thenCompose(handle -> catalog.ledgerStarted(volumeId, handle.getId(), firstSequence.getAsLong(),
                                createdMicros)
                        .handle((v, error) -> {
                            if (error == null) {
                                return CompletableFuture.completedFuture(handle);
                            }
                            handle.closeAsync()
                                    .thenCompose(c -> bookKeeper.newDeleteLedgerOp().withLedgerId(handle.getId()).execute())
                                    .whenComplete((c, deleteError) -> {
                                        if (deleteError != null) {
                                            LOG.warn("ledger {} of volume {} is in no catalog and could not be"
                                                    + " deleted: {}", handle.getId(), volumeId, describe(deleteError));
                                        }
                                    });
                            return CompletableFuture.<WriteHandle>failedFuture(new JournalException(
                                    "the catalog did not record ledger " + handle.getId() + " of volume " + volumeId
                                            + "; no records were written to it: " + describe(error), unwrap(error)));
                        })
                        .thenCompose(f -> f));
    }

    /**
     * Creates a ledger striped over {@code ensemble} bookies. When fewer bookies are available,
     * it tries smaller ensembles down to the ack quorum: every acknowledgement still means
     * {@code ackQuorum} copies, only the spare copies are missing until the next roll-over.
     */
    private CompletableFuture<WriteHandle> create(int ensemble) {
        int writeQuorum = Math.min(config.writeQuorum(), ensemble);
        return bookKeeper.newCreateLedgerOp()
                .withEnsembleSize(ensemble)
                .withWriteQuorumSize(writeQuorum)
                .withAckQuorumSize(config.ackQuorum())
                .withDigestType(DigestType.CRC32C)
                .withPassword(config.password())
                .withWriteFlags(config.durability() == Durability.LAZY
                        ? EnumSet.of(WriteFlag.DEFERRED_SYNC)
                        : EnumSet.noneOf(WriteFlag.class))
                .withCustomMetadata(Map.of(
                        "application", "ledgerdisk".getBytes(StandardCharsets.UTF_8),
                        "volume", Long.toString(volumeId).getBytes(StandardCharsets.UTF_8)))
                .execute()
                .handle((handle, error) -> {
                    if (error == null) {
                        if (ensemble < config.ensembleSize()) {
                            LOG.warn("volume {} writes to ledger {} on {} bookies instead of {} (write quorum {}):"
                                    + " not enough bookies are up", volumeId, handle.getId(), ensemble,
                                    config.ensembleSize(), writeQuorum);
                        }
                        return CompletableFuture.completedFuture(handle);
                    }
                    if (ensemble > config.ackQuorum() && BookKeeperErrors.isNotEnoughBookies(error)) {
                        return create(ensemble - 1);
                    }
                    return CompletableFuture.<WriteHandle>failedFuture(new JournalException("cannot create a ledger"
                            + " for volume " + volumeId + " (at least " + config.ackQuorum() + " writable bookies"
                            + " needed; appends fail until they are back): " + describe(error), unwrap(error)));
                })
                .thenCompose(f -> f);
    }
}
