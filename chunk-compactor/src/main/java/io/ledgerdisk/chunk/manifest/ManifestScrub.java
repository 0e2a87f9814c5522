package io.ledgerdisk.chunk.manifest;

import io.ledgerdisk.chunk.format.ChunkVerification;
import java.util.List;

/**
 * What a scrub of a whole manifest found (see {@link ManifestReader#verify(Manifest)}).
 *
 * @param manifest the manifest scrubbed, as "volume/version"
 * @param chunks one verification per chunk the manifest reaches, in manifest order
 * @param inconsistencies extents that point at a chunk which does not hold their blocks, and
 *     chunks that could not be opened at all (missing objects), one readable line each
 */
public record ManifestScrub(String manifest, List<ChunkVerification> chunks, List<String> inconsistencies) {

    public ManifestScrub {
        chunks = List.copyOf(chunks);
        inconsistencies = List.copyOf(inconsistencies);
    }

    /** Whether every chunk verified and every extent is backed by its chunk. */
    public boolean ok() {
        return inconsistencies.isEmpty() && chunks.stream().allMatch(ChunkVerification::ok);
    }

    /** Number of bad frames (and bad headers, indexes, trailers) found. */
    public int problemCount() {
        return chunks.stream().mapToInt(c -> c.problems().size()).sum() + inconsistencies.size();
    }
}
