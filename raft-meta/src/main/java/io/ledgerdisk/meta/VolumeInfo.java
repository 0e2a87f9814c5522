package io.ledgerdisk.meta;

import java.util.List;
import java.util.Optional;

/**
 * A volume with its placement and manifest history.
 *
 * @param volume    the volume
 * @param pool      its pool, or null if created without one
 * @param pg        its PG in the pool (a stable hash of the name), or -1 without a pool
 * @param manifests committed manifest versions, oldest first
 */
public record VolumeInfo(VolumeRecord volume, String pool, int pg, List<ManifestVersion> manifests) {

    /** Copies the list. */
    public VolumeInfo {
        manifests = List.copyOf(manifests);
    }

    /** The newest manifest, if any was committed. */
    public Optional<ManifestVersion> manifestHead() {
        return manifests.isEmpty() ? Optional.empty() : Optional.of(manifests.get(manifests.size() - 1));
    }
}
