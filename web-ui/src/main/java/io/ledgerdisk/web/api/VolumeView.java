package io.ledgerdisk.web.api;

import java.util.List;

/**
 * A volume as the API shows it.
 *
 * @param name       the volume's name, also its NBD export name
 * @param id         the volume id in the metadata
 * @param sizeBytes  the size clients see
 * @param ledgers    the BookKeeper ledger ids holding its write log, oldest first
 * @param lastSequence the sequence number of the newest acknowledged write, 0 when none, -1 when the volume is not open on this node
 * @param nbdUri     where a client attaches it
 */
public record VolumeView(String name, long id, long sizeBytes, List<Long> ledgers, long lastSequence, String nbdUri) {
}
