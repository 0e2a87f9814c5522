package io.ledgerdisk.web.api;

/**
 * One snapshot of a volume.
 *
 * @param volume          the volume
 * @param name            the snapshot name
 * @param export          the NBD export that serves it read-only, {@code VOL@SNAP}
 * @param manifestVersion the manifest version it pins (0: the empty volume)
 * @param coveredSequence the last log sequence it holds
 * @param created         when it was taken, ISO-8601 UTC
 * @param nbdUri          where a client attaches it
 */
public record SnapshotView(String volume, String name, String export, long manifestVersion, long coveredSequence, String created,
                           String nbdUri) {
}
