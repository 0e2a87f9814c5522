package io.ledgerdisk.meta;

/**
 * A BookKeeper ledger that holds part of a volume's write log.
 *
 * @param ledgerId      the BookKeeper ledger id
 * @param firstSequence the sequence number of the first record written to the ledger
 * @param createdMicros when the ledger was opened, microseconds since the epoch
 */
public record LedgerRef(long ledgerId, long firstSequence, long createdMicros) {
}
