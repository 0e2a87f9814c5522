package io.ledgerdisk.journal.record;

import io.netty.buffer.ByteBuf;
import java.util.Objects;

/**
 * One event of a volume's log.
 *
 * <p>{@code payload} is empty (0 bytes) for {@link RecordType#ZERO} and {@link RecordType#TRIM};
 * for {@link RecordType#WRITE} {@code payload.readableBytes() == length}. A record does not own
 * its payload: whoever made it says how long the bytes stay valid (a replayed record's payload,
 * for instance, is valid only during the replay callback).
 *
 * @param volumeId the volume the event belongs to
 * @param sequence the event's position in the volume's log; strictly increasing, starting at 1
 * @param timestampMicros when the event was appended, microseconds since the epoch (UTC)
 * @param type what the event does
 * @param offset first byte of the volume the event covers
 * @param length number of bytes covered
 * @param payload the written bytes (WRITE) or an empty buffer
 */
public record LogRecord(
        long volumeId,
        long sequence,
        long timestampMicros,
        RecordType type,
        long offset,
        long length,
        ByteBuf payload) {

    public LogRecord {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(payload, "payload");
        if (offset < 0 || length < 0) {
            throw new IllegalArgumentException(
                    "offset and length must not be negative: offset=" + offset + " length=" + length);
        }
        long expectedPayload = type.hasPayload() ? length : 0;
        if (payload.readableBytes() != expectedPayload) {
            throw new IllegalArgumentException(type + " record of length " + length + " needs "
                    + expectedPayload + " payload bytes, got " + payload.readableBytes());
        }
    }
}
