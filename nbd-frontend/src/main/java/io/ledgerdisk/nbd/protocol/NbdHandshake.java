package io.ledgerdisk.nbd.protocol;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Layout of the fixed-newstyle handshake messages (proto.md "Fixed newstyle negotiation", "Option types",
 * "Option reply types"). All integers are big-endian. Protocol version: fixed newstyle with the
 * {@code EXTENDED_HEADERS} extension; oldstyle negotiation is not supported.
 *
 * <p>Server greeting ({@value #GREETING_LENGTH} bytes), then the client flags ({@value #CLIENT_FLAGS_LENGTH} bytes):
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                 NBDMAGIC 0x4e42444d41474943                   |  0
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                 IHAVEOPT 0x49484156454F5054                   |  8
 *  |                                                               |
 *  +-------------------------------+-------------------------------+
 *  |     handshake flags (16)      |                                 16
 *  +-------------------------------+
 *
 *  +---------------------------------------------------------------+
 *  |                       client flags (32)                       |  0
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * <p>Option request ({@value #OPTION_HEADER_LENGTH}-byte header, then data):
 * <pre>
 *  +---------------------------------------------------------------+
 *  |                 IHAVEOPT 0x49484156454F5054                   |  0
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                         option (32)                           |  8
 *  +---------------------------------------------------------------+
 *  |                      data length (32)                         | 12
 *  +---------------------------------------------------------------+
 *  |                     data (length bytes) ...                   | 16
 * </pre>
 *
 * <p>Option reply ({@value #OPTION_REPLY_HEADER_LENGTH}-byte header, then data):
 * <pre>
 *  +---------------------------------------------------------------+
 *  |               reply magic 0x0003e889045565a9                  |  0
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                 option, echoed from request (32)              |  8
 *  +---------------------------------------------------------------+
 *  |                       reply type (32)                         | 12
 *  +---------------------------------------------------------------+
 *  |                      data length (32)                         | 16
 *  +---------------------------------------------------------------+
 *  |                     data (length bytes) ...                   | 20
 * </pre>
 *
 * <p>{@code NBD_OPT_EXPORT_NAME} reply: 64-bit export size, 16-bit transmission flags, then 124 zero bytes
 * unless both sides set NO_ZEROES. {@code NBD_REP_INFO} data starts with a 16-bit information type:
 * <pre>
 *  NBD_INFO_EXPORT      type(16) | export size (64) | transmission flags (16)        length 12
 *  NBD_INFO_NAME        type(16) | name (UTF-8, length - 2 bytes)
 *  NBD_INFO_DESCRIPTION type(16) | description (UTF-8, length - 2 bytes)
 *  NBD_INFO_BLOCK_SIZE  type(16) | minimum (32) | preferred (32) | maximum payload (32)  length 14
 * </pre>
 * {@code NBD_OPT_INFO}/{@code NBD_OPT_GO} data: name length (32), name, request count (16), types (16 each).
 * {@code NBD_OPT_LIST_META_CONTEXT}/{@code NBD_OPT_SET_META_CONTEXT} data: name length (32), name,
 * query count (32), then each query as length (32) and string. {@code NBD_REP_SERVER} data: name length
 * (32), name, description. {@code NBD_REP_META_CONTEXT} data: context id (32), context name.
 */
public final class NbdHandshake {

    /** 'NBDMAGIC', first word of the greeting. */
    public static final long NBD_MAGIC = 0x4e42444d41474943L;
    /** 'IHAVEOPT', second word of the greeting and first word of every option request. */
    public static final long IHAVEOPT = 0x49484156454F5054L;
    /** First word of every option reply. */
    public static final long OPTION_REPLY_MAGIC = 0x0003e889045565a9L;

    public static final int GREETING_LENGTH = 18;
    public static final int CLIENT_FLAGS_LENGTH = 4;
    public static final int OPTION_HEADER_LENGTH = 16;
    public static final int OPTION_REPLY_HEADER_LENGTH = 20;
    /** Zero padding after the {@code NBD_OPT_EXPORT_NAME} reply unless NO_ZEROES was agreed. */
    public static final int EXPORT_NAME_REPLY_PADDING = 124;
    /** Strings (names, messages) MUST be no longer than this (proto.md "Conventions"). */
    public static final int MAX_STRING_LENGTH = 4096;

    public static final int OPTION_MAGIC_OFFSET = 0;
    public static final int OPTION_CODE_OFFSET = 8;
    public static final int OPTION_LENGTH_OFFSET = 12;

    // Handshake flags (server, 16 bits).
    public static final int FLAG_FIXED_NEWSTYLE = 1;
    public static final int FLAG_NO_ZEROES = 1 << 1;

    // Client flags (32 bits).
    public static final int CLIENT_FLAG_FIXED_NEWSTYLE = 1;
    public static final int CLIENT_FLAG_NO_ZEROES = 1 << 1;
    public static final int KNOWN_CLIENT_FLAGS = CLIENT_FLAG_FIXED_NEWSTYLE | CLIENT_FLAG_NO_ZEROES;

    // Transmission flags (16 bits, proto.md "Transmission flags").
    public static final int TRANSMISSION_HAS_FLAGS = 1;
    public static final int TRANSMISSION_READ_ONLY = 1 << 1;
    public static final int TRANSMISSION_SEND_FLUSH = 1 << 2;
    public static final int TRANSMISSION_SEND_FUA = 1 << 3;
    public static final int TRANSMISSION_ROTATIONAL = 1 << 4;
    public static final int TRANSMISSION_SEND_TRIM = 1 << 5;
    public static final int TRANSMISSION_SEND_WRITE_ZEROES = 1 << 6;
    public static final int TRANSMISSION_SEND_DF = 1 << 7;
    public static final int TRANSMISSION_CAN_MULTI_CONN = 1 << 8;
    public static final int TRANSMISSION_SEND_RESIZE = 1 << 9;
    public static final int TRANSMISSION_SEND_CACHE = 1 << 10;
    public static final int TRANSMISSION_SEND_FAST_ZERO = 1 << 11;
    public static final int TRANSMISSION_BLOCK_STATUS_PAYLOAD = 1 << 12;

    // Option types.
    public static final int OPT_EXPORT_NAME = 1;
    public static final int OPT_ABORT = 2;
    public static final int OPT_LIST = 3;
    public static final int OPT_PEEK_EXPORT = 4;
    public static final int OPT_STARTTLS = 5;
    public static final int OPT_INFO = 6;
    public static final int OPT_GO = 7;
    public static final int OPT_STRUCTURED_REPLY = 8;
    public static final int OPT_LIST_META_CONTEXT = 9;
    public static final int OPT_SET_META_CONTEXT = 10;
    public static final int OPT_EXTENDED_HEADERS = 11;

    // Option reply types; errors have bit 31 set.
    public static final int REP_ACK = 1;
    public static final int REP_SERVER = 2;
    public static final int REP_INFO = 3;
    public static final int REP_META_CONTEXT = 4;
    public static final int REP_FLAG_ERROR = 1 << 31;
    public static final int REP_ERR_UNSUP = REP_FLAG_ERROR | 1;
    public static final int REP_ERR_POLICY = REP_FLAG_ERROR | 2;
    public static final int REP_ERR_INVALID = REP_FLAG_ERROR | 3;
    public static final int REP_ERR_PLATFORM = REP_FLAG_ERROR | 4;
    public static final int REP_ERR_TLS_REQD = REP_FLAG_ERROR | 5;
    public static final int REP_ERR_UNKNOWN = REP_FLAG_ERROR | 6;
    public static final int REP_ERR_SHUTDOWN = REP_FLAG_ERROR | 7;
    public static final int REP_ERR_BLOCK_SIZE_REQD = REP_FLAG_ERROR | 8;
    public static final int REP_ERR_TOO_BIG = REP_FLAG_ERROR | 9;
    public static final int REP_ERR_EXT_HEADER_REQD = REP_FLAG_ERROR | 10;

    // Information types of NBD_REP_INFO.
    public static final int INFO_EXPORT = 0;
    public static final int INFO_NAME = 1;
    public static final int INFO_DESCRIPTION = 2;
    public static final int INFO_BLOCK_SIZE = 3;

    public static final int INFO_EXPORT_LENGTH = 12;
    public static final int INFO_BLOCK_SIZE_LENGTH = 14;

    private NbdHandshake() {
    }

    // ---- server to client ----

    /** Writes the greeting: NBDMAGIC, IHAVEOPT, handshake flags. */
    public static void writeGreeting(ByteBuf out, int handshakeFlags) {
        out.writeLong(NBD_MAGIC);
        out.writeLong(IHAVEOPT);
        out.writeShort(handshakeFlags);
    }

    /** Writes an option reply header announcing {@code dataLength} bytes of data to follow. */
    public static void writeOptionReplyHeader(ByteBuf out, int option, int replyType, int dataLength) {
        out.writeLong(OPTION_REPLY_MAGIC);
        out.writeInt(option);
        out.writeInt(replyType);
        out.writeInt(dataLength);
    }

    /** Writes a reply without data, e.g. {@code NBD_REP_ACK}. */
    public static void writeOptionReply(ByteBuf out, int option, int replyType) {
        writeOptionReplyHeader(out, option, replyType, 0);
    }

    /** Writes an error reply whose data is a message for a person. */
    public static void writeErrorReply(ByteBuf out, int option, int errorType, String message) {
        byte[] text = truncatedUtf8(message);
        writeOptionReplyHeader(out, option, errorType, text.length);
        out.writeBytes(text);
    }

    /** Writes an {@code NBD_REP_SERVER} entry of an export listing. */
    public static void writeServerReply(ByteBuf out, int option, String name, String description) {
        byte[] nameBytes = utf8(name);
        byte[] descriptionBytes = truncatedUtf8(description);
        writeOptionReplyHeader(out, option, REP_SERVER, 4 + nameBytes.length + descriptionBytes.length);
        out.writeInt(nameBytes.length);
        out.writeBytes(nameBytes);
        out.writeBytes(descriptionBytes);
    }

    /** Writes {@code NBD_REP_INFO} / {@code NBD_INFO_EXPORT}. */
    public static void writeInfoExport(ByteBuf out, int option, long exportSize, int transmissionFlags) {
        writeOptionReplyHeader(out, option, REP_INFO, INFO_EXPORT_LENGTH);
        out.writeShort(INFO_EXPORT);
        out.writeLong(exportSize);
        out.writeShort(transmissionFlags);
    }

    /** Writes {@code NBD_REP_INFO} carrying a string: {@code NBD_INFO_NAME} or {@code NBD_INFO_DESCRIPTION}. */
    public static void writeInfoString(ByteBuf out, int option, int infoType, String value) {
        byte[] bytes = truncatedUtf8(value);
        writeOptionReplyHeader(out, option, REP_INFO, 2 + bytes.length);
        out.writeShort(infoType);
        out.writeBytes(bytes);
    }

    /** Writes {@code NBD_REP_INFO} / {@code NBD_INFO_BLOCK_SIZE} (proto.md "Size constraints"). */
    public static void writeInfoBlockSize(ByteBuf out, int option, int minimum, int preferred, int maximumPayload) {
        writeOptionReplyHeader(out, option, REP_INFO, INFO_BLOCK_SIZE_LENGTH);
        out.writeShort(INFO_BLOCK_SIZE);
        out.writeInt(minimum);
        out.writeInt(preferred);
        out.writeInt(maximumPayload);
    }

    /** Writes an {@code NBD_REP_META_CONTEXT} naming a context and its id. */
    public static void writeMetaContextReply(ByteBuf out, int option, int contextId, String contextName) {
        byte[] bytes = utf8(contextName);
        writeOptionReplyHeader(out, option, REP_META_CONTEXT, 4 + bytes.length);
        out.writeInt(contextId);
        out.writeBytes(bytes);
    }

    /** Writes the reply that ends {@code NBD_OPT_EXPORT_NAME} and enters transmission. */
    public static void writeExportNameReply(ByteBuf out, long exportSize, int transmissionFlags, boolean noZeroes) {
        out.writeLong(exportSize);
        out.writeShort(transmissionFlags);
        if (!noZeroes) {
            out.writeZero(EXPORT_NAME_REPLY_PADDING);
        }
    }

    // ---- client to server (used by the codec and by test clients) ----

    /** Writes an option request header and its data. */
    public static void writeOption(ByteBuf out, int option, ByteBuf data) {
        out.writeLong(IHAVEOPT);
        out.writeInt(option);
        out.writeInt(data.readableBytes());
        out.writeBytes(data, data.readerIndex(), data.readableBytes());
    }

    /** Writes the data of {@code NBD_OPT_INFO} / {@code NBD_OPT_GO}. */
    public static void writeExportInfoRequest(ByteBuf out, ExportInfoRequest request) {
        byte[] name = utf8(request.exportName());
        out.writeInt(name.length);
        out.writeBytes(name);
        out.writeShort(request.informationTypes().size());
        for (int type : request.informationTypes()) {
            out.writeShort(type);
        }
    }

    /** Writes the data of {@code NBD_OPT_LIST_META_CONTEXT} / {@code NBD_OPT_SET_META_CONTEXT}. */
    public static void writeMetaContextRequest(ByteBuf out, MetaContextRequest request) {
        writeLengthPrefixed(out, request.exportName());
        out.writeInt(request.queries().size());
        for (String query : request.queries()) {
            writeLengthPrefixed(out, query);
        }
    }

    /**
     * Parses the data of {@code NBD_OPT_INFO} / {@code NBD_OPT_GO}.
     *
     * @throws NbdProtocolException if the data is malformed (the server answers {@code NBD_REP_ERR_INVALID})
     */
    public static ExportInfoRequest readExportInfoRequest(ByteBuf data) {
        String name = readLengthPrefixed(data, "export name");
        require(data, 2, "information request count");
        int count = data.readUnsignedShort();
        if (data.readableBytes() != count * 2) {
            throw new NbdProtocolException("option data holds " + data.readableBytes()
                    + " bytes after the name, expected " + count * 2 + " for " + count + " information requests");
        }
        List<Integer> types = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            types.add(data.readUnsignedShort());
        }
        return new ExportInfoRequest(name, types);
    }

    /**
     * Parses the data of {@code NBD_OPT_LIST_META_CONTEXT} / {@code NBD_OPT_SET_META_CONTEXT}.
     *
     * @throws NbdProtocolException if the data is malformed (the server answers {@code NBD_REP_ERR_INVALID})
     */
    public static MetaContextRequest readMetaContextRequest(ByteBuf data) {
        String name = readLengthPrefixed(data, "export name");
        require(data, 4, "query count");
        long count = data.readUnsignedInt();
        // Each query needs at least its 4-byte length: reject counts the data cannot hold before allocating.
        if (count > data.readableBytes() / 4) {
            throw new NbdProtocolException("query count " + count + " exceeds the option data");
        }
        List<String> queries = new ArrayList<>((int) count);
        for (long i = 0; i < count; i++) {
            queries.add(readLengthPrefixed(data, "query"));
        }
        if (data.isReadable()) {
            throw new NbdProtocolException(data.readableBytes() + " stray bytes after the last query");
        }
        return new MetaContextRequest(name, queries);
    }

    /** Whether a reply type is an error (bit 31 set). */
    public static boolean isError(int replyType) {
        return (replyType & REP_FLAG_ERROR) != 0;
    }

    private static void writeLengthPrefixed(ByteBuf out, String value) {
        byte[] bytes = utf8(value);
        out.writeInt(bytes.length);
        out.writeBytes(bytes);
    }

    private static String readLengthPrefixed(ByteBuf data, String what) {
        require(data, 4, what + " length");
        long length = data.readUnsignedInt();
        if (length > MAX_STRING_LENGTH) {
            throw new NbdProtocolException(what + " of " + length + " bytes exceeds " + MAX_STRING_LENGTH);
        }
        require(data, (int) length, what);
        String value = data.readCharSequence((int) length, StandardCharsets.UTF_8).toString();
        if (value.indexOf('\0') >= 0) {
            throw new NbdProtocolException(what + " contains NUL");
        }
        return value;
    }

    private static void require(ByteBuf data, int length, String what) {
        if (data.readableBytes() < length) {
            throw new NbdProtocolException("option data ends before the " + what);
        }
    }

    private static byte[] utf8(String value) {
        return value.getBytes(StandardCharsets.UTF_8);
    }

    /** Messages and descriptions are cut at the protocol's string limit rather than rejected. */
    private static byte[] truncatedUtf8(String value) {
        byte[] bytes = utf8(value);
        if (bytes.length <= MAX_STRING_LENGTH) {
            return bytes;
        }
        return java.util.Arrays.copyOf(bytes, MAX_STRING_LENGTH);
    }
}
