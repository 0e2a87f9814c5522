package io.ledgerdisk.nbd.server;

import static io.ledgerdisk.nbd.protocol.NbdRequest.*;

import io.ledgerdisk.nbd.device.BlockError;
import io.ledgerdisk.nbd.protocol.NbdHandshake;
import io.ledgerdisk.nbd.protocol.TransmissionRequest;

/**
 * Decides whether a transmission request may reach the device, following proto.md "Request types",
 * "Command flags" and "Error values": unknown commands and flags are {@code EINVAL}; writes to a read-only
 * export {@code EPERM}; writes past the end {@code ENOSPC}; other out-of-range requests {@code EINVAL}.
 * Stateless and thread-safe.
 */
final class RequestValidator {

    /** Why a request is refused. */
    record Rejection(BlockError error, String message) {
    }

    private final NegotiatedExport export;

    RequestValidator(NegotiatedExport export) {
        this.export = export;
    }

    /** Returns null if the request is valid, else the error to reply with. */
    Rejection check(TransmissionRequest request) {
        int type = request.type();
        if (type < CMD_READ || type > CMD_BLOCK_STATUS || type == CMD_DISC) {
            return new Rejection(BlockError.EINVAL, "unknown command " + type);
        }
        int unexpectedFlags = request.flags() & ~allowedFlags(type);
        if (unexpectedFlags != 0) {
            return new Rejection(BlockError.EINVAL,
                    String.format("flags 0x%x are not valid for %s", unexpectedFlags, commandName(type)));
        }
        boolean extended = export.replyStyle().extended();
        if (extended && type == CMD_WRITE && !request.hasFlag(FLAG_PAYLOAD_LEN)) {
            return new Rejection(BlockError.EINVAL, "NBD_CMD_WRITE with extended headers needs NBD_CMD_FLAG_PAYLOAD_LEN");
        }
        if (isWrite(type) && export.device().readOnly()) {
            return new Rejection(BlockError.EPERM, "export '" + export.exportName() + "' is read-only");
        }
        if (type == CMD_FLUSH) {
            // offset and length are reserved and MUST be zero (proto.md "NBD_CMD_FLUSH").
            return request.offset() == 0 && request.length() == 0 ? null
                    : new Rejection(BlockError.EINVAL, "NBD_CMD_FLUSH with nonzero offset or length");
        }
        if (type == CMD_BLOCK_STATUS && export.allocationContextId() == 0) {
            return new Rejection(BlockError.EINVAL, "NBD_CMD_BLOCK_STATUS without a negotiated metadata context");
        }
        if (type == CMD_READ && Long.compareUnsigned(request.length(), BlockSizes.MAXIMUM_PAYLOAD) > 0) {
            return new Rejection(BlockError.EINVAL, "read of " + Long.toUnsignedString(request.length())
                    + " bytes exceeds the maximum payload of " + BlockSizes.MAXIMUM_PAYLOAD);
        }
        if (!inRange(request.offset(), request.length())) {
            BlockError error = type == CMD_WRITE || type == CMD_WRITE_ZEROES ? BlockError.ENOSPC : BlockError.EINVAL;
            return new Rejection(error, "range at offset " + Long.toUnsignedString(request.offset()) + " of "
                    + Long.toUnsignedString(request.length()) + " bytes exceeds the export size of "
                    + export.device().sizeBytes());
        }
        return null;
    }

    private boolean inRange(long offset, long length) {
        long size = export.device().sizeBytes();
        // Unsigned values above 2^63 arrive negative and are out of range for any export.
        return offset >= 0 && length >= 0 && offset <= size && length <= size - offset;
    }

    private int allowedFlags(int type) {
        // FUA is valid on every command once NBD_FLAG_SEND_FUA is advertised (proto.md "Command flags").
        int allowed = FLAG_FUA;
        if (export.replyStyle().extended() && type == CMD_WRITE) {
            allowed |= FLAG_PAYLOAD_LEN;
        }
        switch (type) {
            case CMD_READ:
                if (export.hasTransmissionFlag(NbdHandshake.TRANSMISSION_SEND_DF)) {
                    allowed |= FLAG_DF;
                }
                break;
            case CMD_WRITE_ZEROES:
                allowed |= FLAG_NO_HOLE;
                if (export.hasTransmissionFlag(NbdHandshake.TRANSMISSION_SEND_FAST_ZERO)) {
                    allowed |= FLAG_FAST_ZERO;
                }
                break;
            case CMD_BLOCK_STATUS:
                allowed |= FLAG_REQ_ONE;
                break;
            default:
                break;
        }
        return allowed;
    }

    private static boolean isWrite(int type) {
        return type == CMD_WRITE || type == CMD_TRIM || type == CMD_WRITE_ZEROES;
    }
}
