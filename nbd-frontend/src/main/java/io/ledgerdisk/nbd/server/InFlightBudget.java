package io.ledgerdisk.nbd.server;

import io.ledgerdisk.nbd.protocol.NbdRequest;
import io.ledgerdisk.nbd.protocol.TransmissionRequest;

/**
 * Counts what one connection has outstanding at the device, in bytes and requests, against
 * {@link NbdServerConfig#maxInFlightBytesPerConnection()}. The connection stops decoding requests while the
 * budget is exhausted; one request is always admitted, however large, so progress never stalls.
 *
 * <p>Not thread-safe: used from the connection's event loop.
 */
final class InFlightBudget {

    /** Bytes charged to every request on top of its data, so payload-free requests cannot pile up unbounded. */
    static final int REQUEST_OVERHEAD_BYTES = 1024;

    private final long limitBytes;
    private long bytes;
    private int requests;

    InFlightBudget(long limitBytes) {
        this.limitBytes = limitBytes;
    }

    /** Records a request as in flight; returns its cost, to hand back to {@link #release}. */
    long charge(TransmissionRequest request) {
        long data = switch (request.type()) {
            case NbdRequest.CMD_READ, NbdRequest.CMD_WRITE -> request.length();
            default -> 0;
        };
        long cost = REQUEST_OVERHEAD_BYTES + data;
        bytes += cost;
        requests++;
        return cost;
    }

    /** Records that a request charged with {@code cost} has completed. */
    void release(long cost) {
        bytes -= cost;
        requests--;
    }

    /** Whether no further request may start until some complete. */
    boolean exhausted() {
        return bytes >= limitBytes;
    }

    boolean idle() {
        return requests == 0;
    }

    int requests() {
        return requests;
    }
}
