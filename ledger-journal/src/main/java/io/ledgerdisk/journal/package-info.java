/**
 * A volume's write log on BookKeeper: {@link io.ledgerdisk.journal.VolumeLog} (group commit,
 * ledger roll-over, fencing, replay), its settings ({@link io.ledgerdisk.journal.JournalConfig})
 * and the SPI through which the appliance records each volume's ledger list
 * ({@link io.ledgerdisk.journal.LedgerCatalog}).
 */
package io.ledgerdisk.journal;
