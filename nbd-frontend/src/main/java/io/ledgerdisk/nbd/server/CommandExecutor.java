package io.ledgerdisk.nbd.server;

import static io.ledgerdisk.nbd.protocol.NbdRequest.*;

import io.ledgerdisk.nbd.device.AllocationExtent;
import io.ledgerdisk.nbd.device.BlockDevice;
import io.ledgerdisk.nbd.device.BlockDeviceException;
import io.ledgerdisk.nbd.device.BlockError;
import io.ledgerdisk.nbd.protocol.TransmissionRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;

/**
 * Runs a validated transmission request against the {@link BlockDevice} and turns the outcome into a
 * {@link Reply}. Never blocks; the returned future may complete on any thread. Device failures become
 * failed replies, never failed futures. Thread-safe.
 */
final class CommandExecutor {

    /** Cap on descriptors in one block status chunk; the spec asks for at most 2^20 (proto.md "NBD_REPLY_TYPE_BLOCK_STATUS"). */
    static final int MAX_STATUS_DESCRIPTORS = 1 << 16;

    private final NegotiatedExport export;
    private final BlockDevice device;

    CommandExecutor(NegotiatedExport export) {
        this.export = export;
        this.device = export.device();
    }

    /** Executes a request that passed {@link RequestValidator}; releases its payload when done. */
    CompletableFuture<Reply> execute(TransmissionRequest request) {
        CompletableFuture<Reply> outcome;
        try {
            outcome = start(request);
        } catch (RuntimeException e) {
            // A device that throws instead of failing its future: the request still gets an answer.
            outcome = CompletableFuture.failedFuture(e);
        }
        return outcome.handle((reply, failure) -> {
            request.releasePayload();
            return failure == null ? reply : failed(failure);
        });
    }

    private CompletableFuture<Reply> start(TransmissionRequest request) {
        boolean fua = request.hasFlag(FLAG_FUA);
        long offset = request.offset();
        long length = request.length();
        switch (request.type()) {
            case CMD_READ:
                return read(request);
            case CMD_WRITE:
                return unlessEmpty(length, () -> device.write(offset, request.payload(), fua));
            case CMD_FLUSH:
                return device.flush().thenApply(ignored -> Reply.SUCCESS);
            case CMD_TRIM:
                return unlessEmpty(length, () -> device.trim(offset, length, fua));
            case CMD_WRITE_ZEROES:
                // NO_HOLE and FAST_ZERO need nothing extra: devices zero as fast as they write and
                // thin provisioning makes "fully provisioned" meaningless (BlockDevice#writeZeroes).
                return unlessEmpty(length, () -> device.writeZeroes(offset, length, fua));
            case CMD_CACHE:
                // A hint with no required effect (proto.md "NBD_CMD_CACHE"); devices have no read cache to warm.
                return CompletableFuture.completedFuture(Reply.SUCCESS);
            case CMD_BLOCK_STATUS:
                return blockStatus(request);
            default:
                throw new IllegalStateException("unvalidated command " + request.type());
        }
    }

    private CompletableFuture<Reply> read(TransmissionRequest request) {
        int length = (int) request.length();
        if (export.replyStyle().chunked()) {
            return StructuredRead.read(device, request.offset(), length, request.hasFlag(FLAG_DF))
                    .thenApply(Reply::chunkedRead);
        }
        if (length == 0) {
            return CompletableFuture.completedFuture(Reply.simpleRead(io.netty.buffer.Unpooled.EMPTY_BUFFER));
        }
        return device.read(request.offset(), length)
                .thenApply(data -> Reply.simpleRead(StructuredRead.piece(request.offset(), length, data).data()));
    }

    private CompletableFuture<Reply> blockStatus(TransmissionRequest request) {
        long offset = request.offset();
        long length = request.length();
        if (length == 0) {
            return CompletableFuture.completedFuture(Reply.failure(BlockError.EINVAL, "block status of 0 bytes"));
        }
        boolean reqOne = request.hasFlag(FLAG_REQ_ONE);
        return device.allocation(offset, length).thenApply(extents -> {
            List<AllocationExtent> clipped = clip(extents, length, reqOne ? 1 : MAX_STATUS_DESCRIPTORS);
            if (clipped.isEmpty()) {
                throw new BlockDeviceException(BlockError.EIO, "device reported no allocation extents");
            }
            return Reply.blockStatus(export.allocationContextId(), clipped);
        });
    }

    /**
     * Limits extents to the requested length and count, merging neighbours with equal status
     * (the spec asks for differing statuses between consecutive descriptors where feasible).
     */
    static List<AllocationExtent> clip(List<AllocationExtent> extents, long length, int maxDescriptors) {
        List<AllocationExtent> clipped = new ArrayList<>();
        long covered = 0;
        for (AllocationExtent extent : extents) {
            if (covered >= length) {
                break;
            }
            long take = Math.min(extent.length(), length - covered);
            covered += take;
            int last = clipped.size() - 1;
            if (last >= 0 && clipped.get(last).hole() == extent.hole() && clipped.get(last).zero() == extent.zero()) {
                AllocationExtent previous = clipped.get(last);
                clipped.set(last, new AllocationExtent(previous.length() + take, previous.hole(), previous.zero()));
            } else if (clipped.size() < maxDescriptors) {
                clipped.add(new AllocationExtent(take, extent.hole(), extent.zero()));
            } else {
                break;
            }
        }
        return clipped;
    }

    private static CompletableFuture<Reply> unlessEmpty(long length, Supplier<CompletableFuture<Void>> operation) {
        // Zero-length requests are unspecified but must not disconnect: succeed without touching the device.
        if (length == 0) {
            return CompletableFuture.completedFuture(Reply.SUCCESS);
        }
        return operation.get().thenApply(ignored -> Reply.SUCCESS);
    }

    /** The reply for a failed device call: its {@link BlockError}, or EIO for anything else. */
    static Reply failed(Throwable failure) {
        Throwable cause = unwrap(failure);
        if (cause instanceof BlockDeviceException deviceFailure) {
            return new Reply.Failure(deviceFailure.error(), String.valueOf(deviceFailure.getMessage()), cause);
        }
        return new Reply.Failure(BlockError.EIO, "device failure: " + cause, cause);
    }

    static Throwable unwrap(Throwable failure) {
        Throwable cause = failure;
        while (cause instanceof CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }

    static CompletionException asCompletionException(Throwable failure) {
        return failure instanceof CompletionException completion ? completion : new CompletionException(failure);
    }
}
