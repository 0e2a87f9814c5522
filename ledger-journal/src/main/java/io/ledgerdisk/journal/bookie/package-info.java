/**
 * BookKeeper embedded in the appliance's JVM: ZooKeeper as metadata store plus bookies under
 * one data directory ({@link io.ledgerdisk.journal.bookie.LocalBookKeeperCluster}).
 */
package io.ledgerdisk.journal.bookie;
