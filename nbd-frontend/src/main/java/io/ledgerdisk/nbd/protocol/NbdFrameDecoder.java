package io.ledgerdisk.nbd.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import java.util.OptionalInt;

/**
 * Splits the bytes a client sends into NBD frames, incrementally: feed socket reads with {@link #append}
 * and pull whole frames with {@link #nextClientFlags}, {@link #nextOption} or {@link #nextRequest}, as the
 * connection's phase dictates. A method returns nothing until its whole frame (header and payload) has
 * arrived. Pulling, rather than pushing, lets the caller stop decoding while it applies back-pressure and
 * switch phase exactly at a frame boundary.
 *
 * <p>Received buffers are chained into a composite without copying, and write payloads are handed out as
 * retained slices of it, so payload bytes go from the socket to the device untouched. A composite with
 * outstanding slices is never modified: new input then starts a fresh composite.
 *
 * <p>Large write payloads can be streamed instead (see {@link #streamWritePayloadsFrom}): the request is
 * returned as soon as its header has arrived, without its payload, and the payload follows in pieces from
 * {@link #nextPayloadPiece} as socket reads bring it in.
 *
 * <p>Not thread-safe: one decoder per connection, used from its event loop.
 */
public final class NbdFrameDecoder {

    private final int maxOptionDataLength;
    private final int maxPayloadLength;
    /** Most components before read ones are dropped; bounded further by netty's consolidation. */
    private static final int MAX_COMPONENTS = 1024;
    private static final int DISCARD_THRESHOLD = 64;

    private CompositeByteBuf cumulation = Unpooled.compositeBuffer(MAX_COMPONENTS);
    private boolean extendedRequests;
    private int streamedPayloadMinimum = Integer.MAX_VALUE;
    private int payloadToStream;

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

    /**
     * Write payloads of at least {@code minimumBytes} are streamed: {@link #nextRequest} returns the write
     * without its payload, and {@link #nextPayloadPiece} hands the payload out as it arrives.
     */
    public void streamWritePayloadsFrom(int minimumBytes) {
        this.streamedPayloadMinimum = minimumBytes;
    }

    /** Payload bytes of the last streamed write not yet handed out by {@link #nextPayloadPiece}. */
    public int payloadToStream() {
        return payloadToStream;
    }

    /**
     * The next piece of a streamed write's payload (a retained slice of what has arrived, at most what is
     * left of the payload), or null until more arrives. The caller releases it.
     */
    public ByteBuf nextPayloadPiece() {
        if (payloadToStream == 0) {
            throw new IllegalStateException("no streamed payload is pending");
        }
        if (cumulation.refCnt() == 1) {
            // Earlier pieces are released: let go of the buffers they came from, so they can be reused.
            cumulation.discardReadComponents();
        }
        int available = Math.min(cumulation.readableBytes(), payloadToStream);
        if (available == 0) {
            return null;
        }
        payloadToStream -= available;
        ByteBuf piece = cumulation.readRetainedSlice(available);
        if (payloadToStream == 0) {
            afterFrame();
        }
        return piece;
    }

    /** Whether requests are parsed with the extended header. */
    public boolean extendedRequests() {
        return extendedRequests;
    }

    /** Adds received bytes, taking ownership of {@code chunk}: the decoder releases it. */
    public void append(ByteBuf chunk) {
        if (!chunk.isReadable()) {
            chunk.release();
            return;
        }
        if (cumulation.refCnt() > 1) {
            // Payload slices still point into the current composite: leave it as it is and carry the
            // unread remainder over, component by component (flattened, so composites never nest).
            CompositeByteBuf fresh = Unpooled.compositeBuffer(MAX_COMPONENTS);
            fresh.addFlattenedComponents(true, cumulation);
            cumulation = fresh;
        } else if (cumulation.numComponents() > DISCARD_THRESHOLD) {
            cumulation.discardReadComponents();
        }
        cumulation.addComponent(true, chunk);
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
     * The next transmission request, or null until it and its payload have fully arrived (a streamed write:
     * until its header has; see {@link #streamWritePayloadsFrom}).
     *
     * @throws NbdProtocolException on a wrong magic or a payload larger than the maximum
     */
    public TransmissionRequest nextRequest() {
        if (payloadToStream > 0) {
            throw new IllegalStateException(payloadToStream + " bytes of a streamed payload are still to come");
        }
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
        boolean streamed = type == NbdRequest.CMD_WRITE && hasPayload && payloadLength >= streamedPayloadMinimum;
        if (!streamed && cumulation.readableBytes() < headerLength + payloadLength) {
            return null;
        }
        long cookie = NbdRequest.cookie(cumulation, start);
        long offset = NbdRequest.offset(cumulation, start);
        cumulation.skipBytes(headerLength);
        if (streamed) {
            payloadToStream = payloadLength;
            return new TransmissionRequest(flags, type, cookie, offset, length, null);
        }
        ByteBuf payload = hasPayload ? cumulation.readRetainedSlice(payloadLength) : null;
        TransmissionRequest request = new TransmissionRequest(flags, type, cookie, offset, length, payload);
        afterFrame();
        return request;
    }

    /** Releases buffered bytes; the decoder must not be used afterwards. */
    public void release() {
        cumulation.release();
        cumulation = Unpooled.compositeBuffer(MAX_COMPONENTS);
    }

    private void afterFrame() {
        if (!cumulation.isReadable() && cumulation.refCnt() == 1) {
            // Everything consumed and no slice outstanding: drop the components, keep the composite.
            cumulation.discardReadComponents();
        }
    }
}
