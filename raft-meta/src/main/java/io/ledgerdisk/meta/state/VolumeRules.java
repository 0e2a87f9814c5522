package io.ledgerdisk.meta.state;

import io.ledgerdisk.meta.MetaException;
import java.util.regex.Pattern;

/** The rules a volume must satisfy, checked by the state machine so every peer decides alike. */
public final class VolumeRules {

    /** Volume names; '@' is reserved for snapshots ({@code VOL@SNAP}). */
    public static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,62}");

    /** Volume sizes are whole 512-byte sectors. */
    public static final int SECTOR_BYTES = 512;

    private VolumeRules() {
    }

    /** Refuses a name that does not match {@link #NAME}. */
    public static void checkName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new MetaException(MetaException.Code.INVALID_ARGUMENT,
                    "invalid volume name '" + name + "': use 1 to 63 characters of a-z, 0-9, '.', '_', '-'"
                            + " starting with a letter or digit ('@' is reserved for snapshots)");
        }
    }

    /** Refuses a node or pool name that does not match {@link #NAME}; {@code what} names it in the message. */
    public static void checkName(String what, String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new MetaException(MetaException.Code.INVALID_ARGUMENT,
                    "invalid " + what + " '" + name + "': use 1 to 63 characters of a-z, 0-9, '.', '_', '-'"
                            + " starting with a letter or digit");
        }
    }

    /** Refuses a size that is not a positive multiple of 512 bytes. */
    public static void checkSize(long sizeBytes) {
        if (sizeBytes <= 0 || sizeBytes % SECTOR_BYTES != 0) {
            throw new MetaException(MetaException.Code.INVALID_ARGUMENT,
                    "invalid volume size " + sizeBytes + ": must be a positive multiple of " + SECTOR_BYTES + " bytes");
        }
    }
}
