package io.ledgerdisk.nbd.device;

/** The failure a device reports; the server maps it to the NBD error value. */
public class BlockDeviceException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final BlockError error;

    public BlockDeviceException(BlockError error, String message) {
        super(message);
        this.error = error;
    }

    public BlockDeviceException(BlockError error, String message, Throwable cause) {
        super(message, cause);
        this.error = error;
    }

    /** The NBD error the client receives. */
    public BlockError error() {
        return error;
    }
}
