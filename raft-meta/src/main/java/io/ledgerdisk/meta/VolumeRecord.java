package io.ledgerdisk.meta;

import java.util.List;
import java.util.Objects;

/**
 * A volume as the metadata group knows it.
 *
 * @param id            the unique id the state machine assigned at creation
 * @param name          the volume name, {@code [a-z0-9][a-z0-9._-]{0,62}}
 * @param sizeBytes     the size of the block device, a positive multiple of 512
 * @param createdMicros when the volume was created, microseconds since the epoch
 * @param ledgers       the volume's write-log ledgers, oldest first
 */
public record VolumeRecord(long id, String name, long sizeBytes, long createdMicros, List<LedgerRef> ledgers) {

    /** Copies the ledger list so a record never changes once built. */
    public VolumeRecord {
        Objects.requireNonNull(name, "name");
        ledgers = List.copyOf(ledgers);
    }
}
