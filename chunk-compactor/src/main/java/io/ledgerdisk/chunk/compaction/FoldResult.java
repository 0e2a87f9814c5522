package io.ledgerdisk.chunk.compaction;

import io.ledgerdisk.chunk.format.WrittenChunk;
import io.ledgerdisk.chunk.manifest.Manifest;
import java.util.List;

/**
 * What a fold or a merge produced: the new manifest (written chunks are durable in the store,
 * the manifest is NOT committed: the caller commits it through the metadata group, and only
 * then may drop the memtable records it covers), and the chunks written for it.
 *
 * @param manifest the proposed next manifest version
 * @param written the chunks written to the store (already durable), in address order
 * @param logicalBytes bytes of record data (fold) or live data (merge) processed
 */
public record FoldResult(Manifest manifest, List<WrittenChunk> written, long logicalBytes) {

    public FoldResult {
        written = List.copyOf(written);
    }
}
