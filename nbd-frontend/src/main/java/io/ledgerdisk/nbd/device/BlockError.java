package io.ledgerdisk.nbd.device;

/** The error values an NBD server may send, with their wire numbers (proto.md "Error values"). */
public enum BlockError {
    /** Operation not permitted, e.g. a write to a read-only export. */
    EPERM(1),
    /** Input/output error. */
    EIO(5),
    /** Cannot allocate memory. */
    ENOMEM(12),
    /** Invalid argument: bad range, alignment, command or flag. */
    EINVAL(22),
    /** No space left, e.g. a write beyond the end of the device. */
    ENOSPC(28),
    /** Value too large. */
    EOVERFLOW(75),
    /** Operation not supported (only for fast zero requests). */
    ENOTSUP(95),
    /** The server is shutting down. */
    ESHUTDOWN(108);

    private final int nbdValue;

    BlockError(int nbdValue) {
        this.nbdValue = nbdValue;
    }

    /** The 32-bit value carried in the error field of a reply. */
    public int nbdValue() {
        return nbdValue;
    }
}
