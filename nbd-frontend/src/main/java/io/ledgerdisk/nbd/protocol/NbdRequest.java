package io.ledgerdisk.nbd.protocol;

import io.netty.buffer.ByteBuf;

/**
 * Layout of transmission-phase requests (proto.md "Request message", "Request types", "Command flags").
 * Big-endian. Compact requests are used unless {@code NBD_OPT_EXTENDED_HEADERS} was agreed, then every
 * request is extended.
 *
 * <p>Compact request, {@value #COMPACT_HEADER_LENGTH} bytes, followed by {@code length} bytes of data for
 * {@code NBD_CMD_WRITE} only:
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                  magic 0x25609513                             |  0
 *  +-------------------------------+-------------------------------+
 *  |      command flags (16)       |          type (16)            |  4
 *  +-------------------------------+-------------------------------+
 *  |                          cookie (64)                          |  8
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                          offset (64)                          | 16
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                       length (32, unsigned)                   | 24
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * <p>Extended request, {@value #EXTENDED_HEADER_LENGTH} bytes, followed by {@code length} bytes of payload
 * only when {@link #FLAG_PAYLOAD_LEN} is set (otherwise {@code length} is the effect length):
 * <pre>
 *  +---------------------------------------------------------------+
 *  |                  magic 0x21e41c71                             |  0
 *  +-------------------------------+-------------------------------+
 *  |      command flags (16)       |          type (16)            |  4
 *  +-------------------------------+-------------------------------+
 *  |                          cookie (64)                          |  8
 *  +---------------------------------------------------------------+
 *  |                          offset (64)                          | 16
 *  +---------------------------------------------------------------+
 *  |                payload or effect length (64)                  | 24
 *  +---------------------------------------------------------------+
 * </pre>
 */
public final class NbdRequest {

    public static final int COMPACT_MAGIC = 0x25609513;
    public static final int EXTENDED_MAGIC = 0x21e41c71;

    public static final int COMPACT_HEADER_LENGTH = 28;
    public static final int EXTENDED_HEADER_LENGTH = 32;

    public static final int MAGIC_OFFSET = 0;
    public static final int FLAGS_OFFSET = 4;
    public static final int TYPE_OFFSET = 6;
    public static final int COOKIE_OFFSET = 8;
    public static final int OFFSET_OFFSET = 16;
    public static final int LENGTH_OFFSET = 24;

    // Command types.
    public static final int CMD_READ = 0;
    public static final int CMD_WRITE = 1;
    public static final int CMD_DISC = 2;
    public static final int CMD_FLUSH = 3;
    public static final int CMD_TRIM = 4;
    public static final int CMD_CACHE = 5;
    public static final int CMD_WRITE_ZEROES = 6;
    public static final int CMD_BLOCK_STATUS = 7;

    // Command flags.
    public static final int FLAG_FUA = 1;
    public static final int FLAG_NO_HOLE = 1 << 1;
    public static final int FLAG_DF = 1 << 2;
    public static final int FLAG_REQ_ONE = 1 << 3;
    public static final int FLAG_FAST_ZERO = 1 << 4;
    public static final int FLAG_PAYLOAD_LEN = 1 << 5;

    private NbdRequest() {
    }

    /** The command's name for log lines, e.g. {@code NBD_CMD_READ}, or its number if unknown. */
    public static String commandName(int type) {
        return switch (type) {
            case CMD_READ -> "NBD_CMD_READ";
            case CMD_WRITE -> "NBD_CMD_WRITE";
            case CMD_DISC -> "NBD_CMD_DISC";
            case CMD_FLUSH -> "NBD_CMD_FLUSH";
            case CMD_TRIM -> "NBD_CMD_TRIM";
            case CMD_CACHE -> "NBD_CMD_CACHE";
            case CMD_WRITE_ZEROES -> "NBD_CMD_WRITE_ZEROES";
            case CMD_BLOCK_STATUS -> "NBD_CMD_BLOCK_STATUS";
            default -> "command " + type;
        };
    }

    /** Writes a compact request header (data, if any, follows separately). */
    public static void writeCompact(ByteBuf out, int flags, int type, long cookie, long offset, int length) {
        out.writeInt(COMPACT_MAGIC);
        out.writeShort(flags);
        out.writeShort(type);
        out.writeLong(cookie);
        out.writeLong(offset);
        out.writeInt(length);
    }

    /** Writes an extended request header (payload, if {@link #FLAG_PAYLOAD_LEN}, follows separately). */
    public static void writeExtended(ByteBuf out, int flags, int type, long cookie, long offset, long length) {
        out.writeInt(EXTENDED_MAGIC);
        out.writeShort(flags);
        out.writeShort(type);
        out.writeLong(cookie);
        out.writeLong(offset);
        out.writeLong(length);
    }

    static int magic(ByteBuf in, int start) {
        return in.getInt(start + MAGIC_OFFSET);
    }

    static int flags(ByteBuf in, int start) {
        return in.getUnsignedShort(start + FLAGS_OFFSET);
    }

    static int type(ByteBuf in, int start) {
        return in.getUnsignedShort(start + TYPE_OFFSET);
    }

    static long cookie(ByteBuf in, int start) {
        return in.getLong(start + COOKIE_OFFSET);
    }

    static long offset(ByteBuf in, int start) {
        return in.getLong(start + OFFSET_OFFSET);
    }

    static long compactLength(ByteBuf in, int start) {
        return in.getUnsignedInt(start + LENGTH_OFFSET);
    }

    static long extendedLength(ByteBuf in, int start) {
        return in.getLong(start + LENGTH_OFFSET);
    }
}
