package io.ledgerdisk.appliance.volume;

import io.ledgerdisk.chunk.manifest.ManifestFormat;
import io.ledgerdisk.chunk.manifest.ManifestHead;
import io.ledgerdisk.meta.ManifestVersion;
import java.util.Base64;

/**
 * How a committed manifest version names its stored manifest in the metadata group: the
 * encoded {@link ManifestHead} (object id, length, CRC32C; about 70 bytes) in base64, so the
 * Raft log carries a pointer, never the extent map.
 */
public final class ManifestLocation {

    private ManifestLocation() {
    }

    public static String encode(ManifestHead head) {
        return Base64.getEncoder().encodeToString(ManifestFormat.encodeHead(head));
    }

    /** The head a committed version points at. */
    public static ManifestHead decode(ManifestVersion version) {
        if (version.location() == null) {
            throw new IllegalStateException("manifest version " + version.version() + " names no stored manifest");
        }
        return ManifestFormat.decodeHead(Base64.getDecoder().decode(version.location()));
    }
}
