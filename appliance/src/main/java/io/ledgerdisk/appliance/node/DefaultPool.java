package io.ledgerdisk.appliance.node;

import io.ledgerdisk.journal.Durability;
import io.ledgerdisk.journal.JournalConfig;
import io.ledgerdisk.meta.PoolRecord;
import io.ledgerdisk.web.api.PoolRequest;
import java.util.concurrent.TimeUnit;

/**
 * The pool a node creates on its first start, and the defaults of pools created without
 * explicit redundancy: E/Qw/Qa follow the node's bookies exactly as its ledgers do
 * ({@link JournalConfig#forBookies}: 1 bookie 1/1/1, 2 bookies 2/2/2, 3 or more 3/3/2), the
 * durability is the node's {@code --durability}.
 */
final class DefaultPool {

    /** Volumes created without a pool go here. */
    static final String NAME = "default";

    private DefaultPool() {
    }

    /** The node's default redundancy: the journal's ensemble size for {@code bookies}. */
    static int ensemble(int bookies) {
        return JournalConfig.forBookies(bookies).ensembleSize();
    }

    /** The metadata's durability for the journal's. */
    static PoolRecord.Durability durability(Durability durability) {
        return PoolRecord.Durability.valueOf(durability.name());
    }

    /** The {@code default} pool of a node with these bookies and durability, keeping 24 h of history. */
    static PoolRecord record(int bookies, Durability durability) {
        return record(bookies, durability, java.time.Duration.ofSeconds(PoolRequest.DEFAULT_RETENTION_SECONDS));
    }

    /** The {@code default} pool of a node with these bookies, durability and retention ({@code compaction.retention}). */
    static PoolRecord record(int bookies, Durability durability, java.time.Duration retention) {
        JournalConfig journal = JournalConfig.forBookies(bookies);
        return new PoolRecord(NAME, journal.ensembleSize(), journal.writeQuorum(), journal.ackQuorum(), durability(durability),
                PoolRequest.DEFAULT_PG_COUNT, PoolRequest.DEFAULT_FAILURE_DOMAIN, PoolRecord.ChunkTier.LOCAL, null,
                TimeUnit.NANOSECONDS.toMicros(retention.toNanos()));
    }
}
