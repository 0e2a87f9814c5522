package io.ledgerdisk.journal.record;

/**
 * A ledger entry that is not a valid Ledgerdisk record entry: wrong magic, unknown format
 * version, truncated, or a payload whose CRC32C does not match.
 *
 * <p>The message names the ledger and entry so an operator can inspect them with BookKeeper's
 * tools ({@code bin/bookkeeper shell readledger}); the bytes are never silently skipped.
 */
public final class CorruptEntryException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final long ledgerId;
    private final long entryId;

    public CorruptEntryException(long ledgerId, long entryId, String problem) {
        super("ledger " + ledgerId + " entry " + entryId + " is not a valid Ledgerdisk record entry: "
                + problem);
        this.ledgerId = ledgerId;
        this.entryId = entryId;
    }

    /** The ledger that holds the bad entry. */
    public long ledgerId() {
        return ledgerId;
    }

    /** The bad entry's id within its ledger. */
    public long entryId() {
        return entryId;
    }
}
