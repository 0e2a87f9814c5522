package io.ledgerdisk.nbd.server;

import static io.ledgerdisk.nbd.protocol.NbdRequest.CMD_WRITE;
import static io.ledgerdisk.nbd.protocol.NbdRequest.FLAG_FUA;
import static org.junit.jupiter.api.Assertions.*;

import io.ledgerdisk.nbd.device.BlockDeviceException;
import io.ledgerdisk.nbd.device.BlockError;
import io.ledgerdisk.nbd.device.MemoryBlockDevice;
import io.ledgerdisk.nbd.protocol.TransmissionRequest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** A write handed to the device piece by piece: offsets, completion, FUA, failures and refusals. */
class StreamedWriteTest {

    @Test
    void piecesLandAtConsecutiveOffsetsAndTheWriteAnswersOnceAllAreWritten() {
        List<CompletableFuture<Void>> pending = new ArrayList<>();
        AtomicInteger flushes = new AtomicInteger();
        MemoryBlockDevice memory = new MemoryBlockDevice(1 << 20);
        ForwardingBlockDevice device = new ForwardingBlockDevice(memory) {
            @Override
            public CompletableFuture<Void> write(long offset, ByteBuf data, boolean fua) {
                assertFalse(fua, "FUA is applied once, to the whole write");
                super.write(offset, data, false).join();
                CompletableFuture<Void> later = new CompletableFuture<>();
                pending.add(later);
                return later;
            }

            @Override
            public CompletableFuture<Void> flush() {
                flushes.incrementAndGet();
                return super.flush();
            }
        };
        byte[] payload = NbdServerTest.pattern(10_000, 9);
        TransmissionRequest request = new TransmissionRequest(FLAG_FUA, CMD_WRITE, 1, 4096, payload.length, null);
        StreamedWrite write = StreamedWrite.accepted(request, device);
        List<ByteBuf> pieces = List.of(Unpooled.wrappedBuffer(payload, 0, 3000),
                Unpooled.wrappedBuffer(payload, 3000, 1), Unpooled.wrappedBuffer(payload, 3001, 6999));
        pieces.forEach(write::write);
        CompletableFuture<Reply> reply = write.finish();

        assertArrayEquals(payload, ByteBufUtil.getBytes(memory.read(4096, payload.length).join()));
        assertFalse(reply.isDone(), "answered only once every piece is written");
        pending.forEach(piece -> piece.complete(null));
        assertSame(Reply.SUCCESS, reply.join());
        assertEquals(1, flushes.get(), "FUA flushes after the last piece");
        pieces.forEach(piece -> assertEquals(0, piece.refCnt(), "each piece is released once written"));
    }

    @Test
    void aFailedPieceFailsTheWriteWithItsError() {
        ForwardingBlockDevice device = new ForwardingBlockDevice(new MemoryBlockDevice(1 << 20)) {
            @Override
            public CompletableFuture<Void> write(long offset, ByteBuf data, boolean fua) {
                return offset == 0 ? super.write(offset, data, fua)
                        : CompletableFuture.failedFuture(new BlockDeviceException(BlockError.ENOSPC, "pool full"));
            }
        };
        StreamedWrite write = StreamedWrite.accepted(new TransmissionRequest(0, CMD_WRITE, 2, 0, 200, null), device);
        write.write(Unpooled.wrappedBuffer(new byte[100]));
        write.write(Unpooled.wrappedBuffer(new byte[100]));
        Reply reply = write.finish().join();
        assertEquals(BlockError.ENOSPC, assertInstanceOf(Reply.Failure.class, reply).error());
    }

    @Test
    void aRefusedWriteDropsItsPiecesAndKeepsTheRefusal() {
        RequestValidator.Rejection rejection = new RequestValidator.Rejection(BlockError.EPERM, "read-only");
        StreamedWrite write = StreamedWrite.refused(new TransmissionRequest(0, CMD_WRITE, 3, 0, 50, null), rejection);
        ByteBuf piece = Unpooled.wrappedBuffer(new byte[50]);
        write.write(piece);
        assertEquals(0, piece.refCnt());
        assertSame(rejection, write.rejection());
    }
}
