package io.ledgerdisk.nbd.protocol;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * Layout of transmission-phase replies (proto.md "Simple reply message", "Structured reply chunk message",
 * "Extended reply chunk message", "Structured reply types"). Big-endian. Which header a connection uses is
 * fixed by negotiation: simple by default, structured after {@code NBD_OPT_STRUCTURED_REPLY}, extended
 * after {@code NBD_OPT_EXTENDED_HEADERS}.
 *
 * <p>Simple reply, {@value #SIMPLE_HEADER_LENGTH} bytes (followed by the data of a successful read):
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                  magic 0x67446698                             |  0
 *  +---------------------------------------------------------------+
 *  |                  error (32, 0 = success)                      |  4
 *  +---------------------------------------------------------------+
 *  |                  cookie (64)                                  |  8
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * <p>Structured reply chunk, {@value #STRUCTURED_HEADER_LENGTH} bytes, then {@code length} bytes of payload:
 * <pre>
 *  +---------------------------------------------------------------+
 *  |                  magic 0x668e33ef                             |  0
 *  +-------------------------------+-------------------------------+
 *  |       reply flags (16)        |         chunk type (16)       |  4
 *  +-------------------------------+-------------------------------+
 *  |                  cookie (64)                                  |  8
 *  +---------------------------------------------------------------+
 *  |                  payload length (32)                          | 16
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * <p>Extended reply chunk, {@value #EXTENDED_HEADER_LENGTH} bytes, then {@code length} bytes of payload:
 * <pre>
 *  +---------------------------------------------------------------+
 *  |                  magic 0x6e8a278c                             |  0
 *  +-------------------------------+-------------------------------+
 *  |       reply flags (16)        |         chunk type (16)       |  4
 *  +-------------------------------+-------------------------------+
 *  |                  cookie (64)                                  |  8
 *  +---------------------------------------------------------------+
 *  |                  request offset (64)                          | 16
 *  +---------------------------------------------------------------+
 *  |                  payload length (64)                          | 24
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * <p>Chunk payloads:
 * <pre>
 *  NBD_REPLY_TYPE_NONE              (empty; always with NBD_REPLY_FLAG_DONE)
 *  NBD_REPLY_TYPE_OFFSET_DATA       offset (64) | data
 *  NBD_REPLY_TYPE_OFFSET_HOLE       offset (64) | hole size (32)
 *  NBD_REPLY_TYPE_BLOCK_STATUS      context id (32) | { extent length (32) | status flags (32) } * n
 *  NBD_REPLY_TYPE_BLOCK_STATUS_EXT  context id (32) | count (32) | { extent length (64) | status flags (64) } * n
 *  NBD_REPLY_TYPE_ERROR             error (32) | message length (16) | message
 *  NBD_REPLY_TYPE_ERROR_OFFSET      error (32) | message length (16) | message | offset (64)
 * </pre>
 */
public final class NbdReply {

    public static final int SIMPLE_MAGIC = 0x67446698;
    public static final int STRUCTURED_MAGIC = 0x668e33ef;
    public static final int EXTENDED_MAGIC = 0x6e8a278c;

    public static final int SIMPLE_HEADER_LENGTH = 16;
    public static final int STRUCTURED_HEADER_LENGTH = 20;
    public static final int EXTENDED_HEADER_LENGTH = 32;

    /** Reply flag: this is the last chunk of the reply. */
    public static final int FLAG_DONE = 1;

    // Chunk types; error types have bit 15 set.
    public static final int TYPE_NONE = 0;
    public static final int TYPE_OFFSET_DATA = 1;
    public static final int TYPE_OFFSET_HOLE = 2;
    public static final int TYPE_BLOCK_STATUS = 5;
    public static final int TYPE_BLOCK_STATUS_EXT = 6;
    public static final int TYPE_FLAG_ERROR = 1 << 15;
    public static final int TYPE_ERROR = TYPE_FLAG_ERROR | 1;
    public static final int TYPE_ERROR_OFFSET = TYPE_FLAG_ERROR | 2;

    public static final int OFFSET_DATA_PREFIX_LENGTH = 8;
    public static final int OFFSET_HOLE_LENGTH = 12;
    public static final int BLOCK_STATUS_PREFIX_LENGTH = 4;
    public static final int BLOCK_STATUS_DESCRIPTOR_LENGTH = 8;
    public static final int BLOCK_STATUS_EXT_PREFIX_LENGTH = 8;
    public static final int BLOCK_STATUS_EXT_DESCRIPTOR_LENGTH = 16;
    public static final int ERROR_PREFIX_LENGTH = 6;

    /** {@code base:allocation} status flag: the extent is not allocated. */
    public static final int STATE_HOLE = 1;
    /** {@code base:allocation} status flag: the extent reads as zeroes. */
    public static final int STATE_ZERO = 1 << 1;

    private NbdReply() {
    }

    /** Writes a simple reply header; read data, if any, follows separately. */
    public static void writeSimple(ByteBuf out, int error, long cookie) {
        out.writeInt(SIMPLE_MAGIC);
        out.writeInt(error);
        out.writeLong(cookie);
    }

    /**
     * Writes a chunk header, structured or extended.
     *
     * @param requestOffset the offset of the request (extended headers echo it; structured ones omit it)
     */
    public static void writeChunkHeader(ByteBuf out, boolean extended, int flags, int type, long cookie,
                                        long requestOffset, int payloadLength) {
        out.writeInt(extended ? EXTENDED_MAGIC : STRUCTURED_MAGIC);
        out.writeShort(flags);
        out.writeShort(type);
        out.writeLong(cookie);
        if (extended) {
            out.writeLong(requestOffset);
            out.writeLong(payloadLength);
        } else {
            out.writeInt(payloadLength);
        }
    }

    /** The header length of a chunk in the given style. */
    public static int chunkHeaderLength(boolean extended) {
        return extended ? EXTENDED_HEADER_LENGTH : STRUCTURED_HEADER_LENGTH;
    }

    /** Writes the {@code NBD_REPLY_TYPE_OFFSET_DATA} payload prefix; the data follows separately. */
    public static void writeOffsetDataPrefix(ByteBuf out, long dataOffset) {
        out.writeLong(dataOffset);
    }

    /** Writes an {@code NBD_REPLY_TYPE_OFFSET_HOLE} payload. */
    public static void writeOffsetHole(ByteBuf out, long holeOffset, int holeSize) {
        out.writeLong(holeOffset);
        out.writeInt(holeSize);
    }

    /** The payload length of an {@code NBD_REPLY_TYPE_ERROR} chunk with this message. */
    public static int errorPayloadLength(String message) {
        return ERROR_PREFIX_LENGTH + errorMessage(message).length;
    }

    /** Writes an {@code NBD_REPLY_TYPE_ERROR} payload. */
    public static void writeError(ByteBuf out, int error, String message) {
        byte[] text = errorMessage(message);
        out.writeInt(error);
        out.writeShort(text.length);
        out.writeBytes(text);
    }

    /** The payload length of a block status chunk with {@code descriptors} extents. */
    public static int blockStatusPayloadLength(boolean extended, int descriptors) {
        return extended
                ? BLOCK_STATUS_EXT_PREFIX_LENGTH + descriptors * BLOCK_STATUS_EXT_DESCRIPTOR_LENGTH
                : BLOCK_STATUS_PREFIX_LENGTH + descriptors * BLOCK_STATUS_DESCRIPTOR_LENGTH;
    }

    /** Writes the prefix of a block status payload; descriptors follow via {@link #writeBlockStatusDescriptor}. */
    public static void writeBlockStatusPrefix(ByteBuf out, boolean extended, int contextId, int descriptors) {
        out.writeInt(contextId);
        if (extended) {
            out.writeInt(descriptors);
        }
    }

    /** Writes one block status descriptor; in compact form the length must fit 32 bits. */
    public static void writeBlockStatusDescriptor(ByteBuf out, boolean extended, long length, int status) {
        if (extended) {
            out.writeLong(length);
            out.writeLong(status & 0xffffffffL);
        } else {
            out.writeInt((int) length);
            out.writeInt(status);
        }
    }

    /** Error messages are limited to the protocol's string limit (proto.md "NBD_REPLY_TYPE_ERROR"). */
    private static byte[] errorMessage(String message) {
        byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
        return bytes.length <= NbdHandshake.MAX_STRING_LENGTH
                ? bytes : java.util.Arrays.copyOf(bytes, NbdHandshake.MAX_STRING_LENGTH);
    }
}
