/**
 * The ledger record: what one volume-log event is ({@link io.ledgerdisk.journal.record.LogRecord})
 * and how records are laid out in a BookKeeper entry
 * ({@link io.ledgerdisk.journal.record.LedgerRecordFormat}, the only class that knows the bytes).
 */
package io.ledgerdisk.journal.record;
