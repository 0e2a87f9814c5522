package io.ledgerdisk.nbd.protocol;

import static org.junit.jupiter.api.Assertions.*;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Round trips of handshake messages through the encoders and the incremental decoder. */
class NbdHandshakeTest {

    @Test
    void greetingHasTheDocumentedLayout() {
        ByteBuf out = Unpooled.buffer();
        NbdHandshake.writeGreeting(out, NbdHandshake.FLAG_FIXED_NEWSTYLE | NbdHandshake.FLAG_NO_ZEROES);
        assertEquals(NbdHandshake.GREETING_LENGTH, out.readableBytes());
        assertEquals("NBDMAGICIHAVEOPT", out.toString(0, 16, StandardCharsets.US_ASCII));
        assertEquals(3, out.getUnsignedShort(16));
    }

    @Test
    void goOptionRoundTripsThroughTheDecoder() {
        ExportInfoRequest sent = new ExportInfoRequest("vol-1", List.of(NbdHandshake.INFO_NAME, NbdHandshake.INFO_BLOCK_SIZE));
        ByteBuf data = Unpooled.buffer();
        NbdHandshake.writeExportInfoRequest(data, sent);
        ByteBuf wire = Unpooled.buffer();
        wire.writeInt(NbdHandshake.CLIENT_FLAG_FIXED_NEWSTYLE);
        NbdHandshake.writeOption(wire, NbdHandshake.OPT_GO, data);

        NbdFrameDecoder decoder = new NbdFrameDecoder(1024, 1024);
        // One byte at a time: nothing is returned until a frame is complete.
        NbdOption option = null;
        int flags = -1;
        for (int i = 0; i < wire.readableBytes(); i++) {
            decoder.append(wire.retainedSlice(i, 1));
            if (flags < 0) {
                flags = decoder.nextClientFlags().orElse(-1);
            } else {
                option = decoder.nextOption();
                if (option != null) {
                    assertEquals(wire.readableBytes() - 1, i, "option complete only at its last byte");
                }
            }
        }
        assertEquals(NbdHandshake.CLIENT_FLAG_FIXED_NEWSTYLE, flags);
        assertNotNull(option);
        assertEquals(NbdHandshake.OPT_GO, option.code());
        assertEquals(sent, NbdHandshake.readExportInfoRequest(option.data()));
        option.data().release();
        decoder.release();
    }

    @Test
    void metaContextRequestRoundTrips() {
        MetaContextRequest sent = new MetaContextRequest("disk", List.of("base:allocation", "qemu:dirty-bitmap:x"));
        ByteBuf data = Unpooled.buffer();
        NbdHandshake.writeMetaContextRequest(data, sent);
        assertEquals(sent, NbdHandshake.readMetaContextRequest(data));
    }

    @Test
    void malformedOptionDataIsRejected() {
        ByteBuf truncatedName = Unpooled.buffer().writeInt(10).writeBytes(new byte[3]);
        assertThrows(NbdProtocolException.class, () -> NbdHandshake.readExportInfoRequest(truncatedName));
        ByteBuf wrongCount = Unpooled.buffer().writeInt(0).writeShort(2).writeShort(1);
        assertThrows(NbdProtocolException.class, () -> NbdHandshake.readExportInfoRequest(wrongCount));
        ByteBuf hugeQueryCount = Unpooled.buffer().writeInt(0).writeInt(Integer.MAX_VALUE);
        assertThrows(NbdProtocolException.class, () -> NbdHandshake.readMetaContextRequest(hugeQueryCount));
    }

    @Test
    void optionWithBadMagicOrHugeDataIsAProtocolViolation() {
        NbdFrameDecoder decoder = new NbdFrameDecoder(1024, 1024);
        decoder.append(Unpooled.buffer().writeLong(0x1234L).writeInt(1).writeInt(0));
        assertThrows(NbdProtocolException.class, decoder::nextOption);

        NbdFrameDecoder second = new NbdFrameDecoder(1024, 1024);
        second.append(Unpooled.buffer().writeLong(NbdHandshake.IHAVEOPT).writeInt(1).writeInt(4096));
        assertThrows(NbdProtocolException.class, second::nextOption);
    }

    @Test
    void infoRepliesHaveTheirFixedLengths() {
        ByteBuf out = Unpooled.buffer();
        NbdHandshake.writeInfoExport(out, NbdHandshake.OPT_GO, 1L << 40, 0x1234);
        assertEquals(NbdHandshake.OPTION_REPLY_MAGIC, out.readLong());
        assertEquals(NbdHandshake.OPT_GO, out.readInt());
        assertEquals(NbdHandshake.REP_INFO, out.readInt());
        assertEquals(NbdHandshake.INFO_EXPORT_LENGTH, out.readInt());
        assertEquals(NbdHandshake.INFO_EXPORT, out.readShort());
        assertEquals(1L << 40, out.readLong());
        assertEquals(0x1234, out.readUnsignedShort());
        assertFalse(out.isReadable());
    }
}
