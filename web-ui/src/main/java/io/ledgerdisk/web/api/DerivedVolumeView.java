package io.ledgerdisk.web.api;

/**
 * A volume made from another without copying data: a clone of a snapshot or a point-in-time restore.
 *
 * @param name                the new volume
 * @param origin              what it was made from: {@code VOL@SNAP} or {@code VOL@seq:N}
 * @param sequence            the source volume's last log sequence the new volume holds
 * @param baseManifestVersion the source's committed manifest version the new volume started from (0: empty)
 * @param foldedRecords       log records folded over that manifest (0 for a clone)
 * @param millis              how long the creation took
 * @param nbdUri              where a client attaches the new volume
 */
public record DerivedVolumeView(String name, String origin, long sequence, long baseManifestVersion, long foldedRecords, long millis,
                                String nbdUri) {
}
