package io.ledgerdisk.nbd.server;

import static io.ledgerdisk.nbd.protocol.NbdRequest.FLAG_FUA;

import io.ledgerdisk.nbd.device.BlockDevice;
import io.ledgerdisk.nbd.protocol.TransmissionRequest;
import io.netty.buffer.ByteBuf;
import java.util.concurrent.CompletableFuture;

/**
 * A write whose payload reaches the device in pieces, each as soon as the socket has brought it in (for
 * devices that {@link BlockDevice#acceptsWritePieces accept pieces}): piece by piece it is written at its
 * place, and once the whole payload has arrived and every piece is written the write is answered. A write
 * refused on its header still has its payload read off the socket, and is answered with the refusal at the
 * end, like any refused request.
 *
 * <p>Confined to the connection's event loop; piece completions may arrive on any thread.
 */
final class StreamedWrite {

    private final TransmissionRequest request;
    private final BlockDevice device;
    private final RequestValidator.Rejection rejection;
    private long handedOver;
    private CompletableFuture<Void> piecesWritten = CompletableFuture.completedFuture(null);

    private StreamedWrite(TransmissionRequest request, BlockDevice device, RequestValidator.Rejection rejection) {
        this.request = request;
        this.device = device;
        this.rejection = rejection;
    }

    /** A write that passed {@link RequestValidator}: its pieces go to {@code device}. */
    static StreamedWrite accepted(TransmissionRequest request, BlockDevice device) {
        return new StreamedWrite(request, device, null);
    }

    /** A write refused on its header: its pieces are dropped. */
    static StreamedWrite refused(TransmissionRequest request, RequestValidator.Rejection rejection) {
        return new StreamedWrite(request, null, rejection);
    }

    TransmissionRequest request() {
        return request;
    }

    /** Why the write was refused, or null. */
    RequestValidator.Rejection rejection() {
        return rejection;
    }

    /** Writes the next piece of the payload at its place, taking ownership of it. */
    void write(ByteBuf piece) {
        if (rejection != null) {
            piece.release();
            return;
        }
        long offset = request.offset() + handedOver;
        handedOver += piece.readableBytes();
        CompletableFuture<Void> written;
        try {
            written = device.write(offset, piece, false);
        } catch (RuntimeException e) {
            written = CompletableFuture.failedFuture(e);
        }
        written.whenComplete((ignored, failure) -> piece.release());
        piecesWritten = piecesWritten.thenCombine(written, (first, second) -> null);
    }

    /**
     * The reply, once every piece is written (and, for {@code FUA}, flushed); call after the last piece.
     * Device failures become failed replies.
     */
    CompletableFuture<Reply> finish() {
        CompletableFuture<Void> done = request.hasFlag(FLAG_FUA)
                ? piecesWritten.thenCompose(ignored -> device.flush())
                : piecesWritten;
        return done.handle((ignored, failure) -> failure == null ? Reply.SUCCESS : CommandExecutor.failed(failure));
    }
}
