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
     */
    LAZY
}
