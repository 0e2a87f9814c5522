package io.ledgerdisk.journal;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** A {@link LedgerCatalog} for tests: keeps the ledger list in memory, as the Ratis metadata would durably. */
final class InMemoryCatalog implements LedgerCatalog {
    /** One {@link LedgerCatalog#ledgerStarted} call. */
    record Started(long volumeId, long ledgerId, long firstSequence, long createdMicros) {
    }

    private final List<Started> started = new ArrayList<>();

    @Override
    public synchronized CompletableFuture<Void> ledgerStarted(long volumeId, long ledgerId, long firstSequence,
            long createdMicros) {
        started.add(new Started(volumeId, ledgerId, firstSequence, createdMicros));
        return CompletableFuture.completedFuture(null);
    }

    synchronized List<Started> started() {
        return List.copyOf(started);
    }

    /** The volume's ledgers in the order they were recorded. */
    synchronized List<Long> ledgers(long volumeId) {
        List<Long> ids = new ArrayList<>();
        for (Started s : started) {
            if (s.volumeId() == volumeId) {
                ids.add(s.ledgerId());
            }
        }
        return ids;
    }
}
