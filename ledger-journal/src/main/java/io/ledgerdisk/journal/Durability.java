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
     * BookKeeper advances such a ledger's last-add-confirmed only when it is forced, and a
     * ledger that lost a bookie can never be forced again; the log therefore keeps acknowledged
     * records in memory until a force covers them, and writes them again into a new ledger when
     * their ledger cannot be forced (see {@link VolumeLog}).
     */
    LAZY
}
