package io.ledgerdisk.nbd.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.OptionalInt;

/**
 * Splits the bytes a client sends into NBD frames, incrementally: feed socket reads with {@link #append}
 * and pull whole frames with {@link #nextClientFlags}, {@link #nextOption} or {@link #nextRequest}, as the
 * connection's phase dictates. A method returns nothing until its whole frame (header and payload) has
 * arrived. Pulling, rather than pushing, lets the caller stop decoding while it applies back-pressure and
 * switch phase exactly at a frame boundary.
 *
 * <p>Write payloads are handed out as retained slices of the receive buffer (no copy); the buffer is
 * never written in place while a slice is outstanding.
 *
 * <p>Not thread-safe: one decoder per connection, used from its event loop.
 */
public final class NbdFrameDecoder {

    private final int maxOptionDataLength;
    private final int maxPayloadLength;
    private ByteBuf cumulation = Unpooled.EMPTY_BUFFER;
    /** True when {@link #cumulation} was allocated here and may be appended to in place. */
    private boolean owned;
    private boolean extendedRequests;

    /**
     * @param maxOptionDataLength largest option data accepted; larger is a protocol violation
     * @param maxPayloadLength    largest request payload accepted; larger is a protocol violation
     *                            (proto.md "Request message": a server SHOULD hard-disconnect)
     */
    public NbdFrameDecoder(int maxOptionDataLength, int maxPayloadLength) {
        this.maxOptionDataLength = maxOptionDataLength;
        this.maxPayloadLength = maxPayloadLength;
    }

    /** Switches between compact and extended request headers (after {@code NBD_OPT_EXTENDED_HEADERS}). */
    public void useExtendedRequests(boolean extended) {
        this.extendedRequests = extended;
    }

    /** Whether requests are parsed with the extended header. */
    public boolean extendedRequests() {
        return extendedRequests;
    }

    /** Adds received bytes. The caller keeps its reference to {@code chunk}; the decoder retains what it keeps. */
    public void append(ByteBuf chunk) {
        int incoming = chunk.readableBytes();
        if (incoming == 0) {
            return;
        }
        if (!cumulation.isReadable()) {
            cumulation.release();
            cumulation = chunk.retainedDuplicate();
            owned = false;
            return;
        }
        if (owned && cumulation.refCnt() == 1) {
            if (cumulation.readerIndex() > cumulation.capacity() / 2) {
                cumulation.discardReadBytes();
            }
            cumulation.writeBytes(chunk, chunk.readerIndex(), incoming);
            return;
        }
        // Copy into a buffer of our own; it then grows in place (amortised doubling) until a slice is taken.
        ByteBuf grown = Unpooled.buffer(Math.max(cumulation.readableBytes() + incoming, 4096));
        grown.writeBytes(cumulation, cumulation.readerIndex(), cumulation.readableBytes());
        grown.writeBytes(chunk, chunk.readerIndex(), incoming);
        cumulation.release();
        cumulation = grown;
        owned = true;
    }

    /** Bytes received but not yet returned as frames. */
    public int bufferedBytes() {
        return cumulation.readableBytes();
    }

    /** The 32-bit client flags that follow the greeting, once all four bytes arrived. */
    public OptionalInt nextClientFlags() {
        if (cumulation.readableBytes() < NbdHandshake.CLIENT_FLAGS_LENGTH) {
            return OptionalInt.empty();
        }
        int flags = cumulation.readInt();
        afterFrame();
        return OptionalInt.of(flags);
    }

    /**
     * The next option request, or null until it has fully arrived. The option's data is a copy the caller releases.
     *
     * @throws NbdProtocolException on a wrong magic or oversized option data
     */
    public NbdOption nextOption() {
        int start = cumulation.readerIndex();
        if (cumulation.readableBytes() < NbdHandshake.OPTION_HEADER_LENGTH) {
            return null;
        }
        long magic = cumulation.getLong(start + NbdHandshake.OPTION_MAGIC_OFFSET);
        if (magic != NbdHandshake.IHAVEOPT) {
            throw new NbdProtocolException(String.format("bad option magic 0x%016x", magic));
        }
        int code = cumulation.getInt(start + NbdHandshake.OPTION_CODE_OFFSET);
        long length = cumulation.getUnsignedInt(start + NbdHandshake.OPTION_LENGTH_OFFSET);
        if (length > maxOptionDataLength) {
            throw new NbdProtocolException("option " + Integer.toUnsignedString(code) + " carries " + length
                    + " bytes of data, more than the " + maxOptionDataLength + " accepted");
        }
        if (cumulation.readableBytes() < NbdHandshake.OPTION_HEADER_LENGTH + length) {
            return null;
        }
        cumulation.skipBytes(NbdHandshake.OPTION_HEADER_LENGTH);
        ByteBuf data = cumulation.readBytes((int) length);
        afterFrame();
        return new NbdOption(code, data);
    }

    /**
     * The next transmission request, or null until it and its payload have fully arrived.
     *
     * @throws NbdProtocolException on a wrong magic or a payload larger than the maximum
     */
    public TransmissionRequest nextRequest() {
        int headerLength = extendedRequests ? NbdRequest.EXTENDED_HEADER_LENGTH : NbdRequest.COMPACT_HEADER_LENGTH;
        if (cumulation.readableBytes() < headerLength) {
            return null;
        }
        int start = cumulation.readerIndex();
        int magic = NbdRequest.magic(cumulation, start);
        int expectedMagic = extendedRequests ? NbdRequest.EXTENDED_MAGIC : NbdRequest.COMPACT_MAGIC;
        if (magic != expectedMagic) {
            throw new NbdProtocolException(String.format("bad request magic 0x%08x, expected 0x%08x",
                    magic, expectedMagic));
        }
        int flags = NbdRequest.flags(cumulation, start);
        int type = NbdRequest.type(cumulation, start);
        long length = extendedRequests
                ? NbdRequest.extendedLength(cumulation, start)
                : NbdRequest.compactLength(cumulation, start);
        boolean hasPayload = extendedRequests
                ? (flags & NbdRequest.FLAG_PAYLOAD_LEN) != 0
                : type == NbdRequest.CMD_WRITE;
        if (hasPayload && (length < 0 || length > maxPayloadLength)) {
            throw new NbdProtocolException(NbdRequest.commandName(type) + " carries a payload of "
                    + Long.toUnsignedString(length) + " bytes, more than the " + maxPayloadLength + " accepted");
        }
        int payloadLength = hasPayload ? (int) length : 0;
        if (cumulation.readableBytes() < headerLength + payloadLength) {
            if (owned && cumulation.refCnt() == 1) {
                // Make room for the whole payload once instead of growing step by step.
                cumulation.ensureWritable(headerLength + payloadLength - cumulation.readableBytes());
            }
            return null;
        }
        TransmissionRequest request = new TransmissionRequest(flags, type,
                NbdRequest.cookie(cumulation, start), NbdRequest.offset(cumulation, start), length, null);
        cumulation.skipBytes(headerLength);
        if (hasPayload) {
            request = new TransmissionRequest(flags, type, request.cookie(), request.offset(), length,
                    cumulation.readRetainedSlice(payloadLength));
        }
        afterFrame();
        return request;
    }

    /** Releases buffered bytes; the decoder must not be used afterwards. */
    public void release() {
        cumulation.release();
        cumulation = Unpooled.EMPTY_BUFFER;
        owned = false;
    }

    private void afterFrame() {
        if (cumulation.isReadable()) {
            return;
        }
        if (owned && cumulation.refCnt() == 1) {
            cumulation.clear();
        } else {
            cumulation.release();
            cumulation = Unpooled.EMPTY_BUFFER;
            owned = false;
        }
    }
}
