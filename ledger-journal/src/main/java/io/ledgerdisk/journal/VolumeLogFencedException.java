package io.ledgerdisk.journal;

/**
 * Another writer opened this volume's log (recovery fenced our ledger): this node is no longer
 * the volume's primary and must stop serving it. Every further append fails with this exception.
 */
public final class VolumeLogFencedException extends JournalException {
    private static final long serialVersionUID = 1L;

    public VolumeLogFencedException(String message, Throwable cause) {
        super(message, cause);
    }
}
