package io.ledgerdisk.journal;

import io.ledgerdisk.journal.record.LedgerRecordFormat;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;

/**
 * How a volume's log uses BookKeeper: replication, durability, entry size and ledger roll-over.
 * Validated on construction, so a bad value fails at start with a message naming the setting.
 *
 * @param ensembleSize bookies a ledger's entries are striped over (E)
 * @param writeQuorum bookies each entry is written to (Qw)
 * @param ackQuorum bookies that must acknowledge an entry before its records are acknowledged (Qa)
 * @param durability what an acknowledgement promises
 * @param maxEntryBytes upper bound of one ledger entry, header included; group commit fills
 *     entries up to it and one WRITE record must fit in it
 * @param rollOverBytes a ledger that has received this many bytes is closed and a new one started
 * @param rollOverAge a ledger older than this is closed and a new one started
 * @param password BookKeeper ledger password, the same for every ledger of the cluster
 */
public record JournalConfig(
        int ensembleSize,
        int writeQuorum,
        int ackQuorum,
        Durability durability,
        int maxEntryBytes,
        long rollOverBytes,
        Duration rollOverAge,
        byte[] password) {

    /** BookKeeper's default frame limit is 5 MiB; stay clear of it, headers included. */
    public static final int MAX_ENTRY_BYTES_LIMIT = 4 * 1024 * 1024;
    /** The smallest entry that holds one record with one payload byte. */
    public static final int MIN_ENTRY_BYTES =
            LedgerRecordFormat.ENTRY_HEADER_LENGTH + LedgerRecordFormat.recordLength(1);
    /**
     * One MiB of payload plus the entry and record headers: a large NBD write then splits into
     * whole, block-aligned 1 MiB records (a 4 MiB write is 4 records, not 4 and a sliver).
     */
    public static final int DEFAULT_MAX_ENTRY_BYTES = 1024 * 1024 + LedgerRecordFormat.ENTRY_HEADER_LENGTH
            + LedgerRecordFormat.recordLength(0);
    public static final long DEFAULT_ROLL_OVER_BYTES = 1024L * 1024 * 1024;
    public static final Duration DEFAULT_ROLL_OVER_AGE = Duration.ofHours(1);

    public JournalConfig {
        Objects.requireNonNull(durability, "durability");
        Objects.requireNonNull(rollOverAge, "rollOverAge");
        Objects.requireNonNull(password, "password");
        if (ackQuorum < 1 || writeQuorum < ackQuorum || ensembleSize < writeQuorum) {
            throw new IllegalArgumentException("journal replication must satisfy ensembleSize >= writeQuorum"
                    + " >= ackQuorum >= 1, got " + ensembleSize + "/" + writeQuorum + "/" + ackQuorum);
        }
        if (maxEntryBytes < MIN_ENTRY_BYTES || maxEntryBytes > MAX_ENTRY_BYTES_LIMIT) {
            throw new IllegalArgumentException("journal maxEntryBytes must be between " + MIN_ENTRY_BYTES
                    + " and " + MAX_ENTRY_BYTES_LIMIT + ", got " + maxEntryBytes);
        }
        if (rollOverBytes <= 0) {
            throw new IllegalArgumentException("journal rollOverBytes must be positive, got " + rollOverBytes);
        }
        if (rollOverAge.isNegative() || rollOverAge.isZero()) {
            throw new IllegalArgumentException("journal rollOverAge must be positive, got " + rollOverAge);
        }
        password = password.clone();
    }

    /**
     * The defaults for a cluster of {@code bookies}: 1 bookie gives 1/1/1, 2 give 2/2/2, 3 or
     * more give 3/3/2 (one bookie may be slow or lost without stalling writes); IMMEDIATE
     * durability, 1 MiB entries, a new ledger every 1 GiB or 1 hour.
     */
    public static JournalConfig forBookies(int bookies) {
        if (bookies < 1) {
            throw new IllegalArgumentException("a journal needs at least one bookie, got " + bookies);
        }
        int ensemble = Math.min(bookies, 3);
        int ack = bookies >= 3 ? 2 : bookies;
        return new JournalConfig(ensemble, ensemble, ack, Durability.IMMEDIATE, DEFAULT_MAX_ENTRY_BYTES,
                DEFAULT_ROLL_OVER_BYTES, DEFAULT_ROLL_OVER_AGE, "ledgerdisk".getBytes(StandardCharsets.UTF_8));
    }

    /** A copy with another durability mode. */
    public JournalConfig withDurability(Durability newDurability) {
        return new JournalConfig(ensembleSize, writeQuorum, ackQuorum, newDurability, maxEntryBytes,
                rollOverBytes, rollOverAge, password);
    }

    /** A copy with other roll-over thresholds. */
    public JournalConfig withRollOver(long newRollOverBytes, Duration newRollOverAge) {
        return new JournalConfig(ensembleSize, writeQuorum, ackQuorum, durability, maxEntryBytes,
                newRollOverBytes, newRollOverAge, password);
    }

    /** A copy with another entry size bound. */
    public JournalConfig withMaxEntryBytes(int newMaxEntryBytes) {
        return new JournalConfig(ensembleSize, writeQuorum, ackQuorum, durability, newMaxEntryBytes,
                rollOverBytes, rollOverAge, password);
    }

    /** The ledger password (a copy). */
    @Override
    public byte[] password() {
        return password.clone();
    }

    /** The largest WRITE payload one record can carry with these settings. */
    public int maxPayloadBytes() {
        return maxEntryBytes - LedgerRecordFormat.ENTRY_HEADER_LENGTH - LedgerRecordFormat.RECORD_HEADER_LENGTH;
    }
}
