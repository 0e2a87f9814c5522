package io.ledgerdisk.journal;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.apache.bookkeeper.client.BKException;

/** Reading BookKeeper's failures: what they mean for a volume log, and how to say them. */
final class BookKeeperErrors {
    private BookKeeperErrors() {
    }

    /** The failure inside the future wrappers. */
    static Throwable unwrap(Throwable error) {
        Throwable cause = error;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException)
                && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }

    /** Class and message of the unwrapped failure, for a sentence a person reads. */
    static String describe(Throwable error) {
        Throwable cause = unwrap(error);
        String message = cause.getMessage();
        return cause.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }

    /**
     * Whether another writer has taken the ledger: bookies refuse fenced adds, and a recovering
     * reader changes the metadata under a writer's feet.
     */
    static boolean isFencing(Throwable error) {
        int code = code(error);
        return code == BKException.Code.LedgerFencedException || code == BKException.Code.MetadataVersionException;
    }

    /** Whether too few bookies are available for the requested ensemble. */
    static boolean isNotEnoughBookies(Throwable error) {
        return code(error) == BKException.Code.NotEnoughBookiesException;
    }

    private static int code(Throwable error) {
        Throwable cause = unwrap(error);
        return cause instanceof org.apache.bookkeeper.client.api.BKException bk ? bk.getCode() : BKException.Code.OK;
    }
}
