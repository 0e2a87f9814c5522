package io.ledgerdisk.nbd.server;

import io.ledgerdisk.nbd.device.AllocationExtent;
import io.ledgerdisk.nbd.device.BlockDevice;
import io.ledgerdisk.nbd.device.BlockDeviceException;
import io.ledgerdisk.nbd.device.BlockError;
import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Plans and performs a read answered with structured chunks: in reads larger than
 * {@link #SINGLE_CHUNK_BYTES}, ranges the device reports as reading zeroes become
 * {@code NBD_REPLY_TYPE_OFFSET_HOLE} chunks and are not read; the rest is read, one
 * {@code NBD_REPLY_TYPE_OFFSET_DATA} chunk per allocated run (proto.md "NBD_CMD_READ", structured replies).
 * Stateless.
 */
final class StructuredRead {

    /**
     * Reads of at most this many bytes are answered with one data chunk without asking the device for
     * holes: a hole chunk would save at most these few bytes on the wire, less than the allocation query
     * costs at queue depth 1 (proto.md lets a server send data chunks for zeros).
     */
    static final int SINGLE_CHUNK_BYTES = 4096;

    private StructuredRead() {
    }

    /**
     * Reads [offset, offset+length), length at most the maximum payload. With {@code dontFragment} the
     * reply is one data chunk (NBD_CMD_FLAG_DF). The future fails if the allocation query or any read fails;
     * buffers already read are then released.
     */
    static CompletableFuture<List<ReadPiece>> read(BlockDevice device, long offset, int length, boolean dontFragment) {
        if (length == 0) {
            return CompletableFuture.completedFuture(List.of());
        }
        if (dontFragment || length <= SINGLE_CHUNK_BYTES) {
            return device.read(offset, length).thenApply(data -> List.of(piece(offset, length, data)));
        }
        return device.allocation(offset, length).thenCompose(extents -> readPieces(device, offset, length, extents));
    }

    private static CompletableFuture<List<ReadPiece>> readPieces(BlockDevice device, long offset, int length,
                                                                 List<AllocationExtent> extents) {
        List<CompletableFuture<ReadPiece>> pieces = new ArrayList<>();
        long end = offset + length;
        long position = offset;
        // Merge neighbouring extents of the same kind so each run becomes one chunk.
        for (AllocationExtent extent : extents) {
            if (position >= end) {
                break;
            }
            int runLength = (int) Math.min(extent.length(), end - position);
            addRun(device, pieces, position, runLength, extent.zero());
            position += runLength;
        }
        if (position < end) {
            // The device described less than asked: read the rest as data.
            addRun(device, pieces, position, (int) (end - position), false);
        }
        return collect(pieces);
    }

    private static void addRun(BlockDevice device, List<CompletableFuture<ReadPiece>> pieces, long position,
                               int runLength, boolean zero) {
        if (!pieces.isEmpty()) {
            CompletableFuture<ReadPiece> last = pieces.get(pieces.size() - 1);
            ReadPiece previous = last.getNow(null);
            if (zero && previous != null && previous.isHole()) {
                pieces.set(pieces.size() - 1, CompletableFuture.completedFuture(
                        ReadPiece.hole(previous.offset(), previous.length() + runLength)));
                return;
            }
        }
        if (zero) {
            pieces.add(CompletableFuture.completedFuture(ReadPiece.hole(position, runLength)));
        } else {
            pieces.add(device.read(position, runLength).thenApply(data -> piece(position, runLength, data)));
        }
    }

    /** A data piece, checked: a wrong-sized buffer would corrupt the reply stream for every later reply. */
    static ReadPiece piece(long offset, int length, ByteBuf data) {
        if (data.readableBytes() != length) {
            int actual = data.readableBytes();
            data.release();
            throw new BlockDeviceException(BlockError.EIO,
                    "device returned " + actual + " bytes for a read of " + length + " at offset " + offset);
        }
        return new ReadPiece(offset, length, data);
    }

    private static CompletableFuture<List<ReadPiece>> collect(List<CompletableFuture<ReadPiece>> pieces) {
        return CompletableFuture.allOf(pieces.toArray(CompletableFuture[]::new)).handle((ignored, failure) -> {
            if (failure == null) {
                List<ReadPiece> done = new ArrayList<>(pieces.size());
                pieces.forEach(piece -> done.add(piece.join()));
                return done;
            }
            // Free what did arrive, then report the first failure.
            for (CompletableFuture<ReadPiece> piece : pieces) {
                if (!piece.isCompletedExceptionally()) {
                    piece.join().release();
                }
            }
            throw CommandExecutor.asCompletionException(failure);
        });
    }
}
