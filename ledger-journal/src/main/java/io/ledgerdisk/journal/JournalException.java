package io.ledgerdisk.journal;

/**
 * A volume log operation that failed: BookKeeper refused or lost an append, a ledger could not
 * be opened, read, created or recorded in the catalog, or the log is closed. The message says
 * which volume and ledger, and what to do about it where there is something to do.
 */
public class JournalException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public JournalException(String message) {
        super(message);
    }

    public JournalException(String message, Throwable cause) {
        super(message, cause);
    }
}
