package io.ledgerdisk.meta.state;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;

/**
 * The metadata snapshot file format: UTF-8 JSON with a format version.
 * <pre>
 *   {"format": 1,
 *    "state": {"nextVolumeId": 3,
 *              "volumes": [{"id": 1, "name": "db", "sizeBytes": 1048576, "createdMicros": 17,
 *                           "ledgers": [{"ledgerId": 5, "firstSequence": 0, "createdMicros": 18}]}]}}
 * </pre>
 * The Raft term and index the snapshot covers are in the file name
 * ({@code snapshot.TERM_INDEX}, Ratis' {@code SimpleStateMachineStorage}) and an MD5 file
 * sits beside it. Unknown fields are ignored when reading. Thread-safe.
 */
public final class SnapshotFormat {

    /** The version this code writes; it reads 1..VERSION. */
    public static final int VERSION = 1;

    private static final ObjectMapper MAPPER = new ObjectMapper()
            .setSerializationInclusion(JsonInclude.Include.NON_NULL)
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private record SnapshotFile(int format, StateSnapshot state) {
    }

    private SnapshotFormat() {
    }

    /** Encodes a snapshot. */
    public static byte[] encode(StateSnapshot snapshot) throws IOException {
        return MAPPER.writeValueAsBytes(new SnapshotFile(VERSION, snapshot));
    }

    /** Decodes a snapshot; refuses a newer format or a file without state. */
    public static StateSnapshot decode(byte[] bytes) throws IOException {
        SnapshotFile file = MAPPER.readValue(bytes, SnapshotFile.class);
        if (file.format() < 1 || file.format() > VERSION) {
            throw new IOException("metadata snapshot format " + file.format() + " is not supported (this peer reads 1.." + VERSION + ")");
        }
        if (file.state() == null) {
            throw new IOException("metadata snapshot has no state");
        }
        return file.state();
    }
}
