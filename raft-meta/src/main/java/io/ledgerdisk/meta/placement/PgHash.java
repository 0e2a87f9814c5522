package io.ledgerdisk.meta.placement;

import java.nio.charset.StandardCharsets;

/**
 * The stable map from a volume name to its PG: 64-bit FNV-1a of the UTF-8 name, unsigned,
 * modulo the pool's PG count. Part of the metadata format: never change it.
 */
public final class PgHash {

    private static final long FNV_OFFSET = 0xcbf29ce484222325L;
    private static final long FNV_PRIME = 0x100000001b3L;

    private PgHash() {
    }

    /** The PG of a volume name in a pool of {@code pgCount} PGs. */
    public static int pgOf(String volumeName, int pgCount) {
        long hash = FNV_OFFSET;
        for (byte b : volumeName.getBytes(StandardCharsets.UTF_8)) {
            hash ^= b & 0xff;
            hash *= FNV_PRIME;
        }
        return (int) Long.remainderUnsigned(hash, pgCount);
    }
}
