package io.ledgerdisk.journal;

/**
 * When an acknowledged append is durable (DESIGN.md, write path step 4).
 */
public enum Durability {
    /** Every acknowledgement means the record is fsynced on ack-quorum bookie journals. */
    IMMEDIATE,
    /**
     * Ledgers are written with BookKeeper's {@code DEFERRED_SYNC} flag: an acknowledgement means
     * the record is on ack-quorum bookies, durable only once {@link VolumeLog#force()} completes.
     * BookKeeper advances such a ledger's last-add-confirmed only when it is forced, so if a
     * force fails (a bookie of the ledger is lost) the records acknowledged since the last
     * successful force are not promised: the failed force says so, like a disk whose write
     * cache failed, and later records go to a new ledger.
     */
    LAZY
}
