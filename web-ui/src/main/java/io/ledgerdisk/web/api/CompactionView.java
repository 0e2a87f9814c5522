package io.ledgerdisk.web.api;

/**
 * A volume's committed manifest after a compaction.
 *
 * @param name            the volume
 * @param manifestVersion the committed manifest version (0: nothing folded yet)
 * @param coveredSequence the last log sequence folded into chunks
 * @param chunks          chunks the manifest reaches
 * @param storedBytes     file bytes of those chunks
 */
public record CompactionView(String name, long manifestVersion, long coveredSequence, int chunks, long storedBytes) {
}
