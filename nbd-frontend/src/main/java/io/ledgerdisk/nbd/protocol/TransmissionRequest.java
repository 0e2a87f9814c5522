package io.ledgerdisk.nbd.protocol;

import io.netty.buffer.ByteBuf;

/**
 * One decoded transmission-phase request (compact or extended, see {@link NbdRequest}).
 *
 * @param flags   command flags, {@code NbdRequest.FLAG_*}
 * @param type    command type, {@code NbdRequest.CMD_*} (or an unknown value)
 * @param cookie  opaque value echoed in every reply chunk
 * @param offset  byte offset in the export (unsigned on the wire; negative here means above 2^63)
 * @param length  effect length, or payload length when a payload is present (unsigned; negative means above 2^63)
 * @param payload the request data ({@code NBD_CMD_WRITE}, or any extended request with
 *                {@code NBD_CMD_FLAG_PAYLOAD_LEN}); null when there is none. The receiver releases it.
 */
public record TransmissionRequest(int flags, int type, long cookie, long offset, long length, ByteBuf payload) {

    /** Whether the given command flag is set. */
    public boolean hasFlag(int flag) {
        return (flags & flag) != 0;
    }

    /** Releases the payload, if any. */
    public void releasePayload() {
        if (payload != null) {
            payload.release();
        }
    }
}
