package io.ledgerdisk.chunk.manifest;

/**
 * Bytes that are not a valid encoded manifest or manifest head: wrong magic, unknown version,
 * truncated, or a CRC32C mismatch. The message says what was being decoded and what is wrong;
 * the manifest version must then be restored from another copy (the metadata group's history
 * or the stored object) rather than guessed.
 */
public final class CorruptManifestException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public CorruptManifestException(String message) {
        super(message);
    }
}
