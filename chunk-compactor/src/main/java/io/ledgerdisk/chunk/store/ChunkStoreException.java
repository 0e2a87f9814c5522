package io.ledgerdisk.chunk.store;

/**
 * A chunk store could not carry out an operation (disk error, S3 refused or unreachable after
 * retries, a range past the end of an object). The message names the operation, the object
 * and the store; the cause holds the underlying error.
 */
public final class ChunkStoreException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ChunkStoreException(String message, Throwable cause) {
        super(message, cause);
    }

    public ChunkStoreException(String message) {
        super(message);
    }
}
