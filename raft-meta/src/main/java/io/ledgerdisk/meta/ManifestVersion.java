package io.ledgerdisk.meta;

import java.util.List;

/**
 * One committed version of a volume's manifest: the chunks that, with the log after
 * {@code coveredSequence}, make up the volume.
 *
 * @param version         1 for the first manifest, then +1 per commit
 * @param chunks          chunk ids (opaque to the metadata group)
 * @param coveredSequence the last log sequence folded into the chunks
 * @param createdMicros   commit time, microseconds since the epoch
 * @param location        where the full manifest is stored (opaque to the metadata group; the
 *                        appliance stores an encoded manifest head), or null
 */
public record ManifestVersion(long version, List<String> chunks, long coveredSequence, long createdMicros, String location) {

    /** Copies the chunk list. */
    public ManifestVersion {
        chunks = List.copyOf(chunks);
    }
}
