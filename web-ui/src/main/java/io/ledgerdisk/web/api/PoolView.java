package io.ledgerdisk.web.api;

/**
 * A pool as the API shows it.
 *
 * @param name             the pool name
 * @param pgCount          number of placement groups
 * @param ensemble         BookKeeper ensemble size E, also the nodes per PG
 * @param writeQuorum      write quorum Qw
 * @param ackQuorum        ack quorum Qa
 * @param durability       {@code immediate} or {@code lazy}
 * @param failureDomain    the node tag level no PG has two copies in, e.g. {@code host}
 * @param tier             where compacted chunks go: {@code local} or {@code s3}
 * @param bucket           the S3 bucket, or null for {@code local}
 * @param retention        how far back point-in-time restore reaches, e.g. {@code 24h}
 * @param retentionSeconds the same in seconds
 * @param placedPgs        PGs that have nodes; fewer than {@code pgCount} while too few nodes or failure domains are up
 */
public record PoolView(String name, int pgCount, int ensemble, int writeQuorum, int ackQuorum, String durability,
                       String failureDomain, String tier, String bucket, String retention, long retentionSeconds,
                       int placedPgs) {
}
