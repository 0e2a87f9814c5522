package io.ledgerdisk.nbd.server;

import io.ledgerdisk.nbd.device.BlockDevice;

/**
 * What the handshake agreed on for one connection's transmission phase.
 *
 * @param exportName          the export chosen by {@code NBD_OPT_GO} or {@code NBD_OPT_EXPORT_NAME}
 * @param device              the device serving it
 * @param transmissionFlags   the flags sent to the client ({@code NbdHandshake.TRANSMISSION_*})
 * @param replyStyle          simple, structured or extended replies
 * @param allocationContextId id of {@code base:allocation} if selected for this export, else 0
 */
record NegotiatedExport(String exportName, BlockDevice device, int transmissionFlags, ReplyStyle replyStyle,
                        int allocationContextId) {

    boolean hasTransmissionFlag(int flag) {
        return (transmissionFlags & flag) != 0;
    }
}
