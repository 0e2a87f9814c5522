package io.ledgerdisk.journal;

import java.util.concurrent.CompletableFuture;

/**
 * Where a volume's ledger list is recorded (the Ratis metadata, implemented by the appliance).
 *
 * <p>A {@link VolumeLog} calls it after creating a ledger and before writing the first record
 * into it, so that a ledger holding acknowledged records is always known to the next writer.
 */
public interface LedgerCatalog {
    /**
     * Records that {@code ledgerId} now receives the volume's records from {@code firstSequence}
     * on. Must be durable before it completes. In LAZY mode {@code firstSequence} may be at or
     * below the previous ledger's last sequence: records that could not be forced there are
     * written again (identical) into this one.
     *
     * @param createdMicros when the ledger was created, microseconds since the epoch (UTC)
     */
    CompletableFuture<Void> ledgerStarted(long volumeId, long ledgerId, long firstSequence, long createdMicros);
}
