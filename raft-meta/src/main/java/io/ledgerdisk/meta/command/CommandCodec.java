package io.ledgerdisk.meta.command;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ledgerdisk.meta.MetaException;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The one place that turns commands, queries and replies into bytes and back.
 *
 * <p>Every message is a UTF-8 JSON envelope with a format version:
 * <pre>
 *   {"v": 1, "command": {"type": "create_volume", "name": "db", "sizeBytes": 1048576, "createdMicros": 1}}
 *   {"v": 1, "query":   {"type": "list_volumes"}}
 *   {"v": 1, "reply":   {"volume": {...}}}            or  {"v": 1, "reply": {"error": "NOT_FOUND", "message": "..."}}
 * </pre>
 * Readers accept every version up to {@link #VERSION} and refuse newer ones with
 * {@link MetaException.Code#INVALID_ARGUMENT}, so a peer never half-applies a command it does not
 * understand. Unknown fields are ignored, so adding an optional field does not need a new version.
 * Thread-safe.
 */
public final class CommandCodec {

    /** The format version this code writes. */
    public static final int VERSION = 1;

    private static final ObjectMapper MAPPER = new ObjectMapper()
            .setSerializationInclusion(JsonInclude.Include.NON_NULL)
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private CommandCodec() {
    }

    private record CommandEnvelope(int v, MetaCommand command) {
    }

    private record QueryEnvelope(int v, MetaQuery query) {
    }

    private record ReplyEnvelope(int v, MetaReply reply) {
    }

    /** Encodes a command for the Raft log. */
    public static byte[] encode(MetaCommand command) {
        return write(new CommandEnvelope(VERSION, command));
    }

    /** Encodes a query. */
    public static byte[] encode(MetaQuery query) {
        return write(new QueryEnvelope(VERSION, query));
    }

    /** Encodes a reply. */
    public static byte[] encode(MetaReply reply) {
        return write(new ReplyEnvelope(VERSION, reply));
    }

    /** Decodes a command; a malformed or too new one is {@link MetaException.Code#INVALID_ARGUMENT}. */
    public static MetaCommand decodeCommand(byte[] bytes) {
        CommandEnvelope envelope = read(bytes, CommandEnvelope.class);
        checkVersion(envelope.v());
        return requirePresent(envelope.command(), "command");
    }

    /** Decodes a query; a malformed or too new one is {@link MetaException.Code#INVALID_ARGUMENT}. */
    public static MetaQuery decodeQuery(byte[] bytes) {
        QueryEnvelope envelope = read(bytes, QueryEnvelope.class);
        checkVersion(envelope.v());
        return requirePresent(envelope.query(), "query");
    }

    /** Decodes a reply; a malformed or too new one is {@link MetaException.Code#INVALID_ARGUMENT}. */
    public static MetaReply decodeReply(byte[] bytes) {
        ReplyEnvelope envelope = read(bytes, ReplyEnvelope.class);
        checkVersion(envelope.v());
        return requirePresent(envelope.reply(), "reply");
    }

    private static byte[] write(Object envelope) {
        try {
            return MAPPER.writeValueAsBytes(envelope);
        } catch (JsonProcessingException e) {
            // Our own records always serialise; failing here is a programming error.
            throw new UncheckedIOException("cannot encode " + envelope, e);
        }
    }

    private static <T> T read(byte[] bytes, Class<T> type) {
        try {
            return MAPPER.readValue(bytes, type);
        } catch (IOException e) {
            throw new MetaException(MetaException.Code.INVALID_ARGUMENT,
                    "malformed metadata message (" + type.getSimpleName() + "): " + e.getMessage(), e);
        }
    }

    private static void checkVersion(int version) {
        if (version < 1 || version > VERSION) {
            throw new MetaException(MetaException.Code.INVALID_ARGUMENT,
                    "metadata message format version " + version + " is not supported (this peer reads 1.." + VERSION + ")");
        }
    }

    private static <T> T requirePresent(T value, String field) {
        if (value == null) {
            throw new MetaException(MetaException.Code.INVALID_ARGUMENT, "metadata message has no \"" + field + "\"");
        }
        return value;
    }
}
