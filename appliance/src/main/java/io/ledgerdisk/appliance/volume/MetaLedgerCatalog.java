package io.ledgerdisk.appliance.volume;

import io.ledgerdisk.journal.LedgerCatalog;
import io.ledgerdisk.meta.LedgerRef;
import io.ledgerdisk.meta.MetaClient;
import java.util.concurrent.CompletableFuture;

/** Records each volume's ledgers in the Ratis metadata, so a restart knows which ledgers to replay. */
public final class MetaLedgerCatalog implements LedgerCatalog {

    private final MetaClient meta;

    public MetaLedgerCatalog(MetaClient meta) {
        this.meta = meta;
    }

    @Override
    public CompletableFuture<Void> ledgerStarted(long volumeId, long ledgerId, long firstSequence, long createdMicros) {
        return meta.addLedger(volumeId, new LedgerRef(ledgerId, firstSequence, createdMicros)).thenApply(volume -> null);
    }
}
