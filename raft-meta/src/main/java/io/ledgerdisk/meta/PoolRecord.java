package io.ledgerdisk.meta;

import java.util.Objects;

/**
 * A storage pool: how its volumes are replicated and where their chunks go.
 *
 * @param name               the pool name
 * @param ensemble           BookKeeper ensemble size E, also the number of nodes per PG
 * @param writeQuorum        BookKeeper write quorum Qw ({@code <= E})
 * @param ackQuorum          BookKeeper ack quorum Qa ({@code <= Qw})
 * @param durability         when a write counts as durable
 * @param pgCount            number of placement groups
 * @param failureDomainLevel the node tag level no PG may have two copies in (e.g. {@code host})
 * @param chunkTier          where compacted chunks are stored
 * @param s3Bucket           the bucket for {@link ChunkTier#S3}, else null
 * @param retentionMicros    how far back point-in-time restore reaches
 */
public record PoolRecord(String name, int ensemble, int writeQuorum, int ackQuorum, Durability durability, int pgCount,
                         String failureDomainLevel, ChunkTier chunkTier, String s3Bucket, long retentionMicros) {

    /** When an acknowledged write is durable (see DESIGN.md, write path). */
    public enum Durability {
        /** Every acknowledgement means fsynced on Qa journals. */
        IMMEDIATE,
        /** Ledgers use DEFERRED_SYNC; FLUSH and FUA force them. */
        LAZY
    }

    /** Where compacted chunks live. */
    public enum ChunkTier {
        /** A local directory on each node. */
        LOCAL,
        /** An S3 bucket. */
        S3
    }

    /** Checks presence of the fields; the state machine checks the rules between them. */
    public PoolRecord {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(durability, "durability");
        Objects.requireNonNull(failureDomainLevel, "failureDomainLevel");
        Objects.requireNonNull(chunkTier, "chunkTier");
    }
}
