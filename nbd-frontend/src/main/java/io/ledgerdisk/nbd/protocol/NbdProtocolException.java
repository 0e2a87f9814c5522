package io.ledgerdisk.nbd.protocol;

/**
 * The peer broke a mandatory rule of the NBD protocol (bad magic, malformed or oversized frame).
 * Raised by the codec; for framing violations the server answers with a hard disconnect
 * (proto.md "Termination of the session during option haggling", "Terminating the transmission phase").
 */
public class NbdProtocolException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public NbdProtocolException(String message) {
        super(message);
    }
}
