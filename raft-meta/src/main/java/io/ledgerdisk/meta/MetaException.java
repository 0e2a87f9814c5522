package io.ledgerdisk.meta;

import java.util.Objects;

/** A command the state machine refused, or a metadata group that could not be reached; {@link #code()} says why. */
public class MetaException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** Why a metadata operation failed. */
    public enum Code {
        /** The named volume, node or pool does not exist. */
        NOT_FOUND,
        /** An object with that name or id already exists with different contents. */
        ALREADY_EXISTS,
        /** The command is malformed or violates a rule (name syntax, size alignment, ...). */
        INVALID_ARGUMENT,
        /** The object is in use and cannot be changed that way yet (e.g. deleting a pool that still has volumes). */
        CONFLICT,
        /** The metadata group could not be reached or did not answer in time. */
        UNAVAILABLE
    }

    private final Code code;

    /** A refusal with a message a person can act on. */
    public MetaException(Code code, String message) {
        super(message);
        this.code = Objects.requireNonNull(code, "code");
    }

    /** A failure caused by another exception (used for {@link Code#UNAVAILABLE}). */
    public MetaException(Code code, String message, Throwable cause) {
        super(message, cause);
        this.code = Objects.requireNonNull(code, "code");
    }

    /** Why the operation failed. */
    public Code code() {
        return code;
    }

    @Override
    public String toString() {
        return "MetaException[" + code + "]: " + getMessage();
    }
}
