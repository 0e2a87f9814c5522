package io.ledgerdisk.nbd.server;

import io.ledgerdisk.nbd.device.AllocationExtent;
import io.ledgerdisk.nbd.device.BlockError;
import io.ledgerdisk.nbd.protocol.TransmissionRequest;
import io.netty.buffer.ByteBuf;
import java.util.List;

/**
 * A finished command's outcome, waiting to be written on the connection's event loop. Holds buffers until
 * {@link #writeTo} passes them on or {@link #discard} frees them (connection already gone).
 */
interface Reply {

    void writeTo(ReplyWriter writer, TransmissionRequest request);

    void discard();

    /** Success without a payload. */
    Reply SUCCESS = new Reply() {
        @Override
        public void writeTo(ReplyWriter writer, TransmissionRequest request) {
            writer.success(request);
        }

        @Override
        public void discard() {
        }
    };

    static Reply failure(BlockError error, String message) {
        return new Failure(error, message, null);
    }

    /**
     * A failed request: the error sent to the client and, for device failures, the exception behind it.
     *
     * @param cause the device's exception, or null when the server refused the request itself
     */
    record Failure(BlockError error, String message, Throwable cause) implements Reply {
        @Override
        public void writeTo(ReplyWriter writer, TransmissionRequest request) {
            writer.error(request, error, message);
        }

        @Override
        public void discard() {
        }
    }

    static Reply simpleRead(ByteBuf data) {
        return new Reply() {
            @Override
            public void writeTo(ReplyWriter writer, TransmissionRequest request) {
                writer.simpleRead(request, data);
            }

            @Override
            public void discard() {
                data.release();
            }
        };
    }

    static Reply chunkedRead(List<ReadPiece> pieces) {
        return new Reply() {
            @Override
            public void writeTo(ReplyWriter writer, TransmissionRequest request) {
                writer.chunkedRead(request, pieces);
            }

            @Override
            public void discard() {
                pieces.forEach(ReadPiece::release);
            }
        };
    }

    static Reply blockStatus(int contextId, List<AllocationExtent> extents) {
        return new Reply() {
            @Override
            public void writeTo(ReplyWriter writer, TransmissionRequest request) {
                writer.blockStatus(request, contextId, extents);
            }

            @Override
            public void discard() {
            }
        };
    }
}
