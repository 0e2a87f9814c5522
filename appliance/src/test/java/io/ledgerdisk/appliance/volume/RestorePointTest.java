package io.ledgerdisk.appliance.volume;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ledgerdisk.journal.record.LogRecord;
import io.ledgerdisk.journal.record.RecordType;
import io.ledgerdisk.meta.LedgerRef;
import io.ledgerdisk.meta.ManifestVersion;
import io.ledgerdisk.meta.VolumeInfo;
import io.ledgerdisk.meta.VolumeRecord;
import io.netty.buffer.Unpooled;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The time → sequence search and the choice of base manifest for a point-in-time restore. */
class RestorePointTest {

    private static final long CREATED = 1_000;

    private static VolumeInfo volume(List<LedgerRef> ledgers, ManifestVersion... history) {
        return new VolumeInfo(new VolumeRecord(7, "db", 1 << 20, CREATED, ledgers), null, -1, List.of(history));
    }

    private static ManifestVersion version(long v, long covered, long micros) {
        return new ManifestVersion(v, List.of(), covered, micros, "loc");
    }

    private static LogRecord record(long sequence, long micros) {
        return new LogRecord(7, sequence, micros, RecordType.ZERO, 0, 4096, Unpooled.EMPTY_BUFFER);
    }

    private static final List<LedgerRef> ALL_LEDGERS = List.of(new LedgerRef(10, 1, CREATED), new LedgerRef(20, 51, 4_000));

    @Test
    void theNewestManifestCommittedBeforeTheMomentIsWhereTheSearchStarts() {
        RestorePoint point = RestorePoint.of(volume(ALL_LEDGERS, version(1, 20, 2_000), version(2, 40, 3_000), version(3, 40, 3_100)));
        assertEquals(List.of(0L, 1L, 2L, 3L), point.bases().stream().map(RestorePoint.Base::version).toList());
        assertEquals(0, point.startAt(1_500).orElseThrow().version(), "before the first fold: the empty volume");
        assertEquals(1, point.startAt(2_000).orElseThrow().version());
        assertEquals(3, point.startAt(9_999).orElseThrow().version());
        assertTrue(point.startAt(999).isEmpty(), "before the volume existed");
        assertEquals(Instant.ofEpochSecond(0, 1_000_000), point.earliestMoment().orElseThrow());
    }

    @Test
    void theBaseForASequenceIsTheNewestCoveringAtMostIt() {
        RestorePoint point = RestorePoint.of(volume(ALL_LEDGERS, version(1, 20, 2_000), version(2, 40, 3_000), version(3, 40, 3_100)));
        assertEquals(0, point.baseFor(19).orElseThrow().version());
        assertEquals(1, point.baseFor(20).orElseThrow().version());
        assertEquals(3, point.baseFor(40).orElseThrow().version(), "a merge after the fold covers the same records with fewer chunks");
        assertEquals(3, point.baseFor(1_000).orElseThrow().version());
    }

    @Test
    void trimmedHistoryOrLedgersMoveTheEarliestRestorableMoment() {
        // v1 was trimmed: the empty volume is no base any more.
        RestorePoint trimmed = RestorePoint.of(volume(ALL_LEDGERS, version(2, 40, 3_000), version(3, 60, 5_000)));
        assertEquals(List.of(2L, 3L), trimmed.bases().stream().map(RestorePoint.Base::version).toList());
        assertEquals(3_000, trimmed.bases().get(0).createdMicros());
        assertTrue(trimmed.baseFor(39).isEmpty());
        // The first ledger was deleted: only manifests covering up to sequence 50 can be rebuilt.
        RestorePoint noFirstLedger = RestorePoint.of(volume(List.of(new LedgerRef(20, 51, 4_000)), version(1, 20, 2_000),
                version(2, 50, 3_000), version(3, 60, 5_000)));
        assertEquals(List.of(2L, 3L), noFirstLedger.bases().stream().map(RestorePoint.Base::version).toList());
        assertEquals(Instant.ofEpochSecond(0, 3_000_000), noFirstLedger.earliestMoment().orElseThrow());
    }

    @Test
    void aVolumeWithNoWritesCanBeRestoredToItsCreation() {
        RestorePoint point = RestorePoint.of(volume(List.of()));
        assertEquals(0, point.startAt(CREATED).orElseThrow().coveredSequence());
    }

    @Test
    void theSearchStopsAtTheFirstRecordStampedAfterTheMomentOrPastTheSequence() {
        List<LogRecord> log = List.of(record(21, 2_100), record(22, 2_200), record(23, 2_200), record(24, 2_300));
        assertEquals(23, lastIncluded(log, 2_250L, Long.MAX_VALUE));
        assertEquals(23, lastIncluded(log, 2_200L, Long.MAX_VALUE), "a record stamped exactly at the moment is in");
        assertEquals(20, lastIncluded(log, 2_099L, Long.MAX_VALUE));
        assertEquals(22, lastIncluded(log, null, 22));
        assertEquals(22, lastIncluded(log, 9_999L, 22), "the acknowledged limit bounds a time search too");
        assertFalse(RestorePoint.includes(record(25, 1), null, 24));
    }

    /** What a restore's log read hands over: records in order until the first one excluded. */
    private static long lastIncluded(List<LogRecord> log, Long atMicros, long toSequence) {
        long last = 20;
        for (LogRecord r : log) {
            if (!RestorePoint.includes(r, atMicros, toSequence)) {
                break;
            }
            last = r.sequence();
        }
        return last;
    }
}
