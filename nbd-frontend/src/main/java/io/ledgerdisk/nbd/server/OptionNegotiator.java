package io.ledgerdisk.nbd.server;

import static io.ledgerdisk.nbd.protocol.NbdHandshake.*;

import io.ledgerdisk.nbd.device.BlockDevice;
import io.ledgerdisk.nbd.device.ExportCatalog;
import io.ledgerdisk.nbd.device.ExportSummary;
import io.ledgerdisk.nbd.protocol.ExportInfoRequest;
import io.ledgerdisk.nbd.protocol.MetaContextRequest;
import io.ledgerdisk.nbd.protocol.NbdHandshake;
import io.ledgerdisk.nbd.protocol.NbdOption;
import io.ledgerdisk.nbd.protocol.NbdProtocolException;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * The server side of fixed-newstyle option haggling for one connection (proto.md "Fixed newstyle
 * negotiation", "Option types"). It consumes decoded options, writes the replies into a buffer and says
 * what the connection does next. It never touches the socket, so it is tested without one.
 *
 * <p>Not thread-safe: used from the connection's event loop.
 */
final class OptionNegotiator {

    /** What the connection does after an option. */
    enum Next {
        /** Send the replies and wait for the next option. */
        CONTINUE,
        /** Send the replies, then switch to the transmission phase with {@link Step#export()}. */
        TRANSMISSION,
        /** Send the replies as the last cleartext bytes, then run the TLS handshake (NBD_OPT_STARTTLS). */
        START_TLS,
        /** Send the replies, then close: the client aborted (a soft disconnect). */
        CLOSE,
        /** Close without replying further: the client broke a mandatory rule (a hard disconnect). */
        HARD_DISCONNECT
    }

    /** The outcome of one option: what to do next, the export for transmission, or why to disconnect. */
    record Step(Next next, NegotiatedExport export, String reason) {
        static final Step CONTINUE = new Step(Next.CONTINUE, null, null);

        static Step disconnect(String reason) {
            return new Step(Next.HARD_DISCONNECT, null, reason);
        }
    }

    private final ExportCatalog catalog;
    private final NbdTlsConfig tls;
    private boolean tlsActive;
    private boolean noZeroes;
    private boolean structuredReplies;
    private boolean extendedHeaders;
    /** Export named by the last NBD_OPT_SET_META_CONTEXT that selected base:allocation, else null. */
    private String allocationContextExport;

    OptionNegotiator(ExportCatalog catalog, NbdTlsConfig tls) {
        this.catalog = catalog;
        this.tls = tls;
    }

    /**
     * Records that TLS is up. Negotiation state from before STARTTLS MUST NOT be kept
     * (proto.md "NBD_OPT_STARTTLS"): structured replies, extended headers and meta contexts are forgotten.
     */
    void tlsEstablished() {
        tlsActive = true;
        structuredReplies = false;
        extendedHeaders = false;
        allocationContextExport = null;
    }

    /** The handshake flags of the greeting. */
    static int handshakeFlags() {
        return FLAG_FIXED_NEWSTYLE | FLAG_NO_ZEROES;
    }

    /**
     * Checks the client flags; the server MUST close the connection on flags it does not know
     * (proto.md "Newstyle negotiation").
     *
     * @return null if accepted, else the reason to disconnect
     */
    String acceptClientFlags(int clientFlags) {
        if ((clientFlags & ~KNOWN_CLIENT_FLAGS) != 0) {
            return String.format("unknown client flags 0x%08x", clientFlags);
        }
        noZeroes = (clientFlags & CLIENT_FLAG_NO_ZEROES) != 0;
        return null;
    }

    /** Handles one option, writing its replies to {@code out}. Releases the option's data. */
    Step handle(NbdOption option, ByteBuf out) {
        try {
            return dispatch(option.code(), option.data(), out);
        } finally {
            option.data().release();
        }
    }

    private Step dispatch(int code, ByteBuf data, ByteBuf out) {
        if (tls.required() && !tlsActive && code != OPT_STARTTLS && code != OPT_ABORT) {
            // FORCEDTLS: nothing but STARTTLS and ABORT before TLS (proto.md "FORCEDTLS mode").
            if (code == OPT_EXPORT_NAME) {
                return Step.disconnect("NBD_OPT_EXPORT_NAME before STARTTLS on a TLS-only server");
            }
            writeErrorReply(out, code, REP_ERR_TLS_REQD, "this server requires TLS: send NBD_OPT_STARTTLS first");
            return Step.CONTINUE;
        }
        switch (code) {
            case OPT_EXPORT_NAME:
                return exportName(data, out);
            case OPT_ABORT:
                // The server MUST reply with NBD_REP_ACK; data is ignored (proto.md "NBD_OPT_ABORT").
                writeOptionReply(out, code, REP_ACK);
                return new Step(Next.CLOSE, null, "client aborted the handshake");
            case OPT_LIST:
                return list(data, out);
            case OPT_STARTTLS:
                return startTls(data, out);
            case OPT_INFO:
            case OPT_GO:
                return infoOrGo(code, data, out);
            case OPT_STRUCTURED_REPLY:
                return structuredReply(data, out);
            case OPT_EXTENDED_HEADERS:
                return extendedHeaders(data, out);
            case OPT_LIST_META_CONTEXT:
                return listMetaContext(data, out);
            case OPT_SET_META_CONTEXT:
                return setMetaContext(data, out);
            default:
                writeErrorReply(out, code, REP_ERR_UNSUP, "option " + Integer.toUnsignedString(code)
                        + " is not supported by this server");
                return Step.CONTINUE;
        }
    }

    private Step exportName(ByteBuf data, ByteBuf out) {
        // NBD_OPT_EXPORT_NAME cannot report errors: every refusal is a hard disconnect.
        if (extendedHeaders) {
            return Step.disconnect("NBD_OPT_EXPORT_NAME after extended headers were negotiated");
        }
        if (data.readableBytes() > MAX_STRING_LENGTH) {
            return Step.disconnect("export name of " + data.readableBytes() + " bytes is too long");
        }
        String name = data.toString(StandardCharsets.UTF_8);
        Optional<BlockDevice> device = catalog.find(name);
        if (device.isEmpty()) {
            return Step.disconnect("NBD_OPT_EXPORT_NAME for unknown export '" + name + "'");
        }
        NegotiatedExport export = negotiated(name, device.get());
        writeExportNameReply(out, device.get().sizeBytes(), export.transmissionFlags(), noZeroes);
        return new Step(Next.TRANSMISSION, export, null);
    }

    private Step list(ByteBuf data, ByteBuf out) {
        if (data.isReadable()) {
            writeErrorReply(out, OPT_LIST, REP_ERR_INVALID, "NBD_OPT_LIST takes no data");
            return Step.CONTINUE;
        }
        for (ExportSummary summary : catalog.list()) {
            writeServerReply(out, OPT_LIST, summary.name(), summary.description());
        }
        writeOptionReply(out, OPT_LIST, REP_ACK);
        return Step.CONTINUE;
    }

    private Step startTls(ByteBuf data, ByteBuf out) {
        if (!tls.enabled()) {
            writeErrorReply(out, OPT_STARTTLS, REP_ERR_UNSUP, "TLS is not configured on this server");
        } else if (data.isReadable()) {
            writeErrorReply(out, OPT_STARTTLS, REP_ERR_INVALID, "NBD_OPT_STARTTLS takes no data");
        } else if (tlsActive) {
            writeErrorReply(out, OPT_STARTTLS, REP_ERR_INVALID, "TLS is already active");
        } else {
            writeOptionReply(out, OPT_STARTTLS, REP_ACK);
            return new Step(Next.START_TLS, null, null);
        }
        return Step.CONTINUE;
    }

    private Step infoOrGo(int code, ByteBuf data, ByteBuf out) {
        ExportInfoRequest request;
        try {
            request = NbdHandshake.readExportInfoRequest(data);
        } catch (NbdProtocolException e) {
            writeErrorReply(out, code, REP_ERR_INVALID, e.getMessage());
            return Step.CONTINUE;
        }
        String name = request.exportName();
        Optional<BlockDevice> device = catalog.find(name);
        if (device.isEmpty()) {
            writeErrorReply(out, code, REP_ERR_UNKNOWN, "no export named '" + name + "'");
            return Step.CONTINUE;
        }
        NegotiatedExport export = negotiated(name, device.get());
        writeInfoExport(out, code, device.get().sizeBytes(), export.transmissionFlags());
        if (request.informationTypes().contains(INFO_NAME)) {
            writeInfoString(out, code, INFO_NAME, name);
        }
        if (request.informationTypes().contains(INFO_DESCRIPTION)) {
            Optional<String> description = catalog.describe(name);
            description.ifPresent(text -> writeInfoString(out, code, INFO_DESCRIPTION, text));
        }
        // Sent even when not requested: the values are the protocol defaults, so no client is bound by them.
        writeInfoBlockSize(out, code, BlockSizes.MINIMUM, BlockSizes.PREFERRED, BlockSizes.MAXIMUM_PAYLOAD);
        writeOptionReply(out, code, REP_ACK);
        return code == OPT_GO ? new Step(Next.TRANSMISSION, export, null) : Step.CONTINUE;
    }

    private Step structuredReply(ByteBuf data, ByteBuf out) {
        if (data.isReadable()) {
            writeErrorReply(out, OPT_STRUCTURED_REPLY, REP_ERR_INVALID, "NBD_OPT_STRUCTURED_REPLY takes no data");
        } else if (extendedHeaders) {
            writeErrorReply(out, OPT_STRUCTURED_REPLY, REP_ERR_EXT_HEADER_REQD,
                    "extended headers are already negotiated and take precedence");
        } else {
            structuredReplies = true;
            writeOptionReply(out, OPT_STRUCTURED_REPLY, REP_ACK);
        }
        return Step.CONTINUE;
    }

    private Step extendedHeaders(ByteBuf data, ByteBuf out) {
        if (data.isReadable()) {
            writeErrorReply(out, OPT_EXTENDED_HEADERS, REP_ERR_INVALID, "NBD_OPT_EXTENDED_HEADERS takes no data");
        } else {
            extendedHeaders = true;
            writeOptionReply(out, OPT_EXTENDED_HEADERS, REP_ACK);
        }
        return Step.CONTINUE;
    }

    private Step listMetaContext(ByteBuf data, ByteBuf out) {
        MetaContextRequest request = parseMetaContext(OPT_LIST_META_CONTEXT, data, out);
        if (request == null) {
            return Step.CONTINUE;
        }
        if (MetaContexts.listMatchesAllocation(request.queries())) {
            writeMetaContextReply(out, OPT_LIST_META_CONTEXT, MetaContexts.LISTING_ID, MetaContexts.BASE_ALLOCATION);
        }
        writeOptionReply(out, OPT_LIST_META_CONTEXT, REP_ACK);
        return Step.CONTINUE;
    }

    private Step setMetaContext(ByteBuf data, ByteBuf out) {
        // The selection is replaced even when this request fails (proto.md "NBD_OPT_SET_META_CONTEXT").
        allocationContextExport = null;
        if (!structuredReplies && !extendedHeaders) {
            writeErrorReply(out, OPT_SET_META_CONTEXT, REP_ERR_INVALID,
                    "negotiate structured replies or extended headers first");
            return Step.CONTINUE;
        }
        MetaContextRequest request = parseMetaContext(OPT_SET_META_CONTEXT, data, out);
        if (request == null) {
            return Step.CONTINUE;
        }
        if (MetaContexts.setSelectsAllocation(request.queries())) {
            allocationContextExport = request.exportName();
            writeMetaContextReply(out, OPT_SET_META_CONTEXT, MetaContexts.BASE_ALLOCATION_ID,
                    MetaContexts.BASE_ALLOCATION);
        }
        writeOptionReply(out, OPT_SET_META_CONTEXT, REP_ACK);
        return Step.CONTINUE;
    }

    /** Parses meta context data and checks the export; on failure writes the error reply and returns null. */
    private MetaContextRequest parseMetaContext(int code, ByteBuf data, ByteBuf out) {
        MetaContextRequest request;
        try {
            request = NbdHandshake.readMetaContextRequest(data);
        } catch (NbdProtocolException e) {
            writeErrorReply(out, code, REP_ERR_INVALID, e.getMessage());
            return null;
        }
        if (catalog.find(request.exportName()).isEmpty()) {
            writeErrorReply(out, code, REP_ERR_UNKNOWN, "no export named '" + request.exportName() + "'");
            return null;
        }
        return request;
    }

    private NegotiatedExport negotiated(String name, BlockDevice device) {
        ReplyStyle style = extendedHeaders ? ReplyStyle.EXTENDED
                : structuredReplies ? ReplyStyle.STRUCTURED : ReplyStyle.SIMPLE;
        int contextId = name.equals(allocationContextExport) ? MetaContexts.BASE_ALLOCATION_ID : 0;
        return new NegotiatedExport(name, device, transmissionFlags(device, style), style, contextId);
    }

    /** The transmission flags for a device (proto.md "Transmission flags"). */
    static int transmissionFlags(BlockDevice device, ReplyStyle style) {
        // CAN_MULTI_CONN: the BlockDevice contract makes flushed writes visible on every connection.
        int flags = TRANSMISSION_HAS_FLAGS | TRANSMISSION_SEND_FLUSH | TRANSMISSION_SEND_FUA
                | TRANSMISSION_SEND_CACHE | TRANSMISSION_CAN_MULTI_CONN;
        if (device.readOnly()) {
            flags |= TRANSMISSION_READ_ONLY;
        } else {
            flags |= TRANSMISSION_SEND_TRIM | TRANSMISSION_SEND_WRITE_ZEROES | TRANSMISSION_SEND_FAST_ZERO;
        }
        if (style.chunked()) {
            // SEND_DF MUST stay clear without structured replies or extended headers.
            flags |= TRANSMISSION_SEND_DF;
        }
        return flags;
    }
}
