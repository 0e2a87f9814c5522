package io.ledgerdisk.nbd.server;

import static io.ledgerdisk.nbd.protocol.NbdHandshake.*;
import static org.junit.jupiter.api.Assertions.*;

import io.ledgerdisk.nbd.device.FixedExportCatalog;
import io.ledgerdisk.nbd.device.MemoryBlockDevice;
import io.ledgerdisk.nbd.protocol.ExportInfoRequest;
import io.ledgerdisk.nbd.protocol.MetaContextRequest;
import io.ledgerdisk.nbd.protocol.NbdOption;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Option haggling without a socket: reply types, context selection and what reaches transmission. */
class OptionNegotiatorTest {

    private final FixedExportCatalog catalog = FixedExportCatalog.builder()
            .add("a", "", new MemoryBlockDevice(4096))
            .add("b", "", new MemoryBlockDevice(4096, true))
            .build();
    private final OptionNegotiator negotiator = new OptionNegotiator(catalog, NbdTlsConfig.disabled());

    @Test
    void listMetaContextMatchesTheBaseWildcardAndIgnoresOtherNamespaces() {
        assertEquals(List.of(REP_META_CONTEXT, REP_ACK), replyTypes(metaContext(OPT_LIST_META_CONTEXT, "a")));
        assertEquals(List.of(REP_META_CONTEXT, REP_ACK), replyTypes(metaContext(OPT_LIST_META_CONTEXT, "a", "base:")));
        assertEquals(List.of(REP_ACK), replyTypes(metaContext(OPT_LIST_META_CONTEXT, "a", "qemu:dirty-bitmap:x")));
        assertEquals(List.of(REP_ERR_UNKNOWN), replyTypes(metaContext(OPT_LIST_META_CONTEXT, "zz")));
    }

    @Test
    void setMetaContextNeedsStructuredRepliesAndBindsToItsExport() {
        assertEquals(List.of(REP_ERR_INVALID), replyTypes(metaContext(OPT_SET_META_CONTEXT, "a", "base:allocation")));
        handle(OPT_STRUCTURED_REPLY, Unpooled.EMPTY_BUFFER);
        // "base:" selects nothing in SET (proto.md "The base: metadata namespace").
        assertEquals(List.of(REP_ACK), replyTypes(metaContext(OPT_SET_META_CONTEXT, "a", "base:")));
        assertEquals(List.of(REP_META_CONTEXT, REP_ACK),
                replyTypes(metaContext(OPT_SET_META_CONTEXT, "a", "base:allocation")));

        NegotiatedExport other = go("b");
        assertEquals(0, other.allocationContextId(), "context was selected for export a, not b");
        assertEquals(ReplyStyle.STRUCTURED, other.replyStyle());
        assertNotEquals(0, other.transmissionFlags() & TRANSMISSION_READ_ONLY);
    }

    @Test
    void goCarriesTheNegotiatedStyleAndContext() {
        handle(OPT_EXTENDED_HEADERS, Unpooled.EMPTY_BUFFER);
        metaContext(OPT_SET_META_CONTEXT, "a", "base:allocation");
        NegotiatedExport export = go("a");
        assertEquals(ReplyStyle.EXTENDED, export.replyStyle());
        assertEquals(MetaContexts.BASE_ALLOCATION_ID, export.allocationContextId());
        assertNotEquals(0, export.transmissionFlags() & TRANSMISSION_SEND_DF);
    }

    @Test
    void exportNameAfterExtendedHeadersIsAHardDisconnect() {
        handle(OPT_EXTENDED_HEADERS, Unpooled.EMPTY_BUFFER);
        ByteBuf out = Unpooled.buffer();
        OptionNegotiator.Step step = negotiator.handle(
                new NbdOption(OPT_EXPORT_NAME, Unpooled.copiedBuffer("a", StandardCharsets.UTF_8)), out);
        assertEquals(OptionNegotiator.Next.HARD_DISCONNECT, step.next());
    }

    @Test
    void startTlsWithoutCertificatesIsUnsupported() {
        assertEquals(List.of(REP_ERR_UNSUP), replyTypes(handle(OPT_STARTTLS, Unpooled.EMPTY_BUFFER)));
    }

    private NegotiatedExport go(String name) {
        ByteBuf data = Unpooled.buffer();
        writeExportInfoRequest(data, new ExportInfoRequest(name, List.of()));
        ByteBuf out = Unpooled.buffer();
        OptionNegotiator.Step step = negotiator.handle(new NbdOption(OPT_GO, data), out);
        assertEquals(OptionNegotiator.Next.TRANSMISSION, step.next());
        return step.export();
    }

    private ByteBuf metaContext(int option, String export, String... queries) {
        ByteBuf data = Unpooled.buffer();
        writeMetaContextRequest(data, new MetaContextRequest(export, List.of(queries)));
        return handle(option, data);
    }

    private ByteBuf handle(int option, ByteBuf data) {
        ByteBuf out = Unpooled.buffer();
        assertEquals(OptionNegotiator.Next.CONTINUE, negotiator.handle(new NbdOption(option, data), out).next());
        return out;
    }

    /** The reply types in a buffer of option replies. */
    private static List<Integer> replyTypes(ByteBuf out) {
        List<Integer> types = new ArrayList<>();
        while (out.isReadable()) {
            assertEquals(OPTION_REPLY_MAGIC, out.readLong());
            out.readInt();
            types.add(out.readInt());
            out.skipBytes(out.readInt());
        }
        return types;
    }
}
