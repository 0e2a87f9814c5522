package io.ledgerdisk.appliance.volume;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ledgerdisk.meta.LedgerRef;
import java.util.List;
import org.junit.jupiter.api.Test;

class VolumeCatalogTest {

    /** Ledgers 10, 20, 30 hold sequences 1..100, 101..250 and 251 onwards. */
    private static final List<LedgerRef> LEDGERS = List.of(new LedgerRef(10, 1, 0), new LedgerRef(20, 101, 0), new LedgerRef(30, 251, 0));

    @Test
    void aLedgerIsCoveredWhenItsSuccessorStartsRightAfterTheFold() {
        assertEquals(List.of(), VolumeCatalog.coveredLedgers(LEDGERS, 0));
        assertEquals(List.of(), VolumeCatalog.coveredLedgers(LEDGERS, 99));
        assertEquals(List.of(10L), VolumeCatalog.coveredLedgers(LEDGERS, 100));
        assertEquals(List.of(10L, 20L), VolumeCatalog.coveredLedgers(LEDGERS, 250));
        assertEquals(List.of(10L, 20L), VolumeCatalog.coveredLedgers(LEDGERS, 10_000), "the newest ledger is never covered");
    }

    @Test
    void replayReadsOnlyWhatTheFoldDoesNotCover() {
        assertEquals(List.of(10L, 20L, 30L), VolumeCatalog.uncoveredLedgers(LEDGERS, 99));
        assertEquals(List.of(20L, 30L), VolumeCatalog.uncoveredLedgers(LEDGERS, 100));
        assertEquals(List.of(30L), VolumeCatalog.uncoveredLedgers(LEDGERS, 10_000));
        assertEquals(List.of(), VolumeCatalog.uncoveredLedgers(List.of(), 5));
    }
}
