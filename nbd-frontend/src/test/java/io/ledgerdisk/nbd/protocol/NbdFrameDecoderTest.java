package io.ledgerdisk.nbd.protocol;

import static org.junit.jupiter.api.Assertions.*;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

/** Parsing of transmission requests: compact and extended headers, payloads, split input, violations. */
class NbdFrameDecoderTest {

    @Test
    void compactWriteIsParsedWithItsPayload() {
        ByteBuf wire = Unpooled.buffer();
        NbdRequest.writeCompact(wire, NbdRequest.FLAG_FUA, NbdRequest.CMD_WRITE, 0xfeedL, 1L << 33, 5);
        wire.writeBytes(new byte[] {1, 2, 3, 4, 5});
        NbdRequest.writeCompact(wire, 0, NbdRequest.CMD_READ, 7, 0, 0xffffffff);

        NbdFrameDecoder decoder = new NbdFrameDecoder(64, 1 << 20);
        decoder.append(wire);
        TransmissionRequest write = decoder.nextRequest();
        assertEquals(NbdRequest.CMD_WRITE, write.type());
        assertTrue(write.hasFlag(NbdRequest.FLAG_FUA));
        assertEquals(0xfeedL, write.cookie());
        assertEquals(1L << 33, write.offset());
        assertEquals(5, write.length());
        assertArrayEquals(new byte[] {1, 2, 3, 4, 5}, ByteBufUtil.getBytes(write.payload()));
        write.releasePayload();

        TransmissionRequest read = decoder.nextRequest();
        assertEquals(NbdRequest.CMD_READ, read.type());
        assertEquals(0xffffffffL, read.length(), "compact length is unsigned");
        assertNull(read.payload());
        assertNull(decoder.nextRequest());
        decoder.release();
    }

    @Test
    void requestSplitAcrossReadsIsReturnedOnlyWhenComplete() {
        byte[] payload = new byte[10_000];
        for (int i = 0; i < payload.length; i++) {
            payload[i] = (byte) i;
        }
        ByteBuf wire = Unpooled.buffer();
        NbdRequest.writeCompact(wire, 0, NbdRequest.CMD_WRITE, 1, 0, payload.length);
        wire.writeBytes(payload);

        NbdFrameDecoder decoder = new NbdFrameDecoder(64, 1 << 20);
        TransmissionRequest request = null;
        for (int start = 0; start < wire.readableBytes(); start += 777) {
            assertNull(request);
            decoder.append(wire.retainedSlice(start, Math.min(777, wire.readableBytes() - start)));
            request = decoder.nextRequest();
        }
        assertNotNull(request);
        assertArrayEquals(payload, ByteBufUtil.getBytes(request.payload()));
        request.releasePayload();
        assertEquals(0, decoder.bufferedBytes());
        decoder.release();
    }

    @Test
    void largeWritePayloadsStreamInPiecesAsTheyArrive() {
        byte[] payload = new byte[5000];
        new java.util.Random(3).nextBytes(payload);
        ByteBuf wire = Unpooled.buffer();
        NbdRequest.writeCompact(wire, 0, NbdRequest.CMD_WRITE, 1, 8192, 100);
        wire.writeBytes(new byte[100]);
        NbdRequest.writeCompact(wire, NbdRequest.FLAG_FUA, NbdRequest.CMD_WRITE, 2, 4096, payload.length);
        wire.writeBytes(payload);
        NbdRequest.writeCompact(wire, 0, NbdRequest.CMD_FLUSH, 3, 0, 0);

        NbdFrameDecoder decoder = new NbdFrameDecoder(64, 1 << 20);
        decoder.streamWritePayloadsFrom(1000);
        decoder.append(wire.readRetainedSlice(NbdRequest.COMPACT_HEADER_LENGTH * 2 + 100 + 1500));
        TransmissionRequest small = decoder.nextRequest();
        assertEquals(100, small.payload().readableBytes(), "payloads under the threshold come whole");
        small.releasePayload();
        TransmissionRequest large = decoder.nextRequest();
        assertEquals(2, large.cookie());
        assertEquals(payload.length, large.length());
        assertNull(large.payload(), "a streamed write comes without its payload");
        assertEquals(payload.length, decoder.payloadToStream());
        assertThrows(IllegalStateException.class, decoder::nextRequest);

        ByteBuf streamed = Unpooled.buffer();
        for (ByteBuf piece = decoder.nextPayloadPiece(); ; piece = decoder.nextPayloadPiece()) {
            if (piece == null) {
                assertTrue(wire.isReadable(), "pieces stop only when input runs out");
                decoder.append(wire.readRetainedSlice(Math.min(1200, wire.readableBytes())));
                continue;
            }
            streamed.writeBytes(piece);
            piece.release();
            if (decoder.payloadToStream() == 0) {
                break;
            }
        }
        assertArrayEquals(payload, ByteBufUtil.getBytes(streamed));
        decoder.append(wire);
        assertEquals(NbdRequest.CMD_FLUSH, decoder.nextRequest().type(), "the request after the payload follows");
        decoder.release();
    }

    @Test
    void payloadStaysIntactWhileMoreInputArrives() {
        NbdFrameDecoder decoder = new NbdFrameDecoder(64, 1 << 20);
        ByteBuf first = Unpooled.buffer();
        NbdRequest.writeCompact(first, 0, NbdRequest.CMD_WRITE, 1, 0, 4);
        first.writeBytes(new byte[] {9, 9, 9, 9});
        NbdRequest.writeCompact(first, 0, NbdRequest.CMD_FLUSH, 2, 0, 0);
        decoder.append(first.readRetainedSlice(40));
        TransmissionRequest write = decoder.nextRequest();
        // The rest of the flush arrives while the write's payload is still held.
        decoder.append(first);
        decoder.append(Unpooled.wrappedBuffer(new byte[100]));
        assertEquals(NbdRequest.CMD_FLUSH, decoder.nextRequest().type());
        assertArrayEquals(new byte[] {9, 9, 9, 9}, ByteBufUtil.getBytes(write.payload()));
        write.releasePayload();
        decoder.release();
    }

    @Test
    void extendedHeadersUsePayloadLenFlag() {
        ByteBuf wire = Unpooled.buffer();
        NbdRequest.writeExtended(wire, NbdRequest.FLAG_PAYLOAD_LEN, NbdRequest.CMD_WRITE, 3, 4096, 2);
        wire.writeBytes(new byte[] {7, 8});
        NbdRequest.writeExtended(wire, 0, NbdRequest.CMD_TRIM, 4, 0, 1L << 40);

        NbdFrameDecoder decoder = new NbdFrameDecoder(64, 1 << 20);
        decoder.useExtendedRequests(true);
        decoder.append(wire);
        TransmissionRequest write = decoder.nextRequest();
        assertArrayEquals(new byte[] {7, 8}, ByteBufUtil.getBytes(write.payload()));
        write.releasePayload();
        TransmissionRequest trim = decoder.nextRequest();
        assertEquals(1L << 40, trim.length(), "effect length is 64-bit");
        assertNull(trim.payload());
        decoder.release();
    }

    @Test
    void badMagicAndOversizedPayloadAreViolations() {
        NbdFrameDecoder decoder = new NbdFrameDecoder(64, 1024);
        ByteBuf extended = Unpooled.buffer();
        NbdRequest.writeExtended(extended, 0, NbdRequest.CMD_READ, 1, 0, 512);
        decoder.append(extended);
        assertThrows(NbdProtocolException.class, decoder::nextRequest, "extended magic on a compact connection");

        NbdFrameDecoder oversized = new NbdFrameDecoder(64, 1024);
        ByteBuf write = Unpooled.buffer();
        NbdRequest.writeCompact(write, 0, NbdRequest.CMD_WRITE, 1, 0, 4096);
        oversized.append(write);
        assertThrows(NbdProtocolException.class, oversized::nextRequest);
    }
}
