package io.ledgerdisk.appliance.volume;

/**
 * A snapshot, clone or restore this node refused or could not finish, with a message a person
 * can act on; {@link #kind()} says which HTTP answer fits.
 */
public final class VolumeOperationException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** Why the operation failed. */
    public enum Kind {
        /** The request names something that does not exist (volume not open here, unknown snapshot). */
        NOT_FOUND,
        /** The request cannot be satisfied as asked (a moment outside the retention window, a bad sequence). */
        INVALID,
        /** A part the operation needs did not answer; trying again may work. */
        UNAVAILABLE
    }

    private final Kind kind;

    public VolumeOperationException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public VolumeOperationException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    /** The volume is not open on this node. */
    static VolumeOperationException notOpen(String volume) {
        return new VolumeOperationException(Kind.NOT_FOUND, "no volume named '" + volume + "' is open on this node");
    }

    public Kind kind() {
        return kind;
    }
}
