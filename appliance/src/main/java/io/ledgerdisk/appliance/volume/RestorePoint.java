package io.ledgerdisk.appliance.volume;

import io.ledgerdisk.journal.record.LogRecord;
import io.ledgerdisk.meta.LedgerRef;
import io.ledgerdisk.meta.ManifestVersion;
import io.ledgerdisk.meta.VolumeInfo;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Where a point-in-time restore starts and stops, decided from metadata alone.
 *
 * <p>A <em>base</em> is a retained manifest version whose successor records are all still in
 * the volume's ledgers; the empty manifest (version 0, at the volume's creation) counts while the
 * history was never trimmed. The state at a moment {@code T} is rebuilt from the newest base
 * committed at or before {@code T} (every record it covers was appended before its commit) plus
 * the records after it whose timestamp is at most {@code T}; timestamps never decrease along the
 * log, so the search stops at the first record stamped later. The earliest restorable moment is
 * the oldest base's commit time. Immutable.
 */
final class RestorePoint {

    /** A manifest version a restore can start from; {@code manifest} is null for the empty version 0. */
    record Base(long version, long coveredSequence, long createdMicros, ManifestVersion manifest) {
    }

    private final List<Base> bases;

    private RestorePoint(List<Base> bases) {
        this.bases = bases;
    }

    /** The bases of a volume, oldest first. */
    static RestorePoint of(VolumeInfo info) {
        List<LedgerRef> ledgers = info.volume().ledgers();
        long firstLogged = ledgers.isEmpty() ? Long.MAX_VALUE : ledgers.get(0).firstSequence();
        List<ManifestVersion> history = info.manifests();
        List<Base> bases = new ArrayList<>();
        boolean untrimmed = history.isEmpty() || history.get(0).version() == 1;
        if (untrimmed && (ledgers.isEmpty() || firstLogged <= 1)) {
            bases.add(new Base(0, 0, info.volume().createdMicros(), null));
        }
        for (ManifestVersion m : history) {
            // Records after the version must still be in the ledgers (or there must be none yet).
            if (ledgers.isEmpty() || firstLogged <= m.coveredSequence() + 1) {
                bases.add(new Base(m.version(), m.coveredSequence(), m.createdMicros(), m));
            }
        }
        return new RestorePoint(List.copyOf(bases));
    }

    List<Base> bases() {
        return bases;
    }

    /** The earliest moment that can be restored, if any base is left. */
    Optional<Instant> earliestMoment() {
        return bases.isEmpty() ? Optional.empty() : Optional.of(toInstant(bases.get(0).createdMicros()));
    }

    /** Where to start reading the log to restore moment {@code atMicros}: the newest base committed at or before it. */
    Optional<Base> startAt(long atMicros) {
        Base found = null;
        for (Base base : bases) {
            if (base.createdMicros() <= atMicros) {
                found = base;
            }
        }
        return Optional.ofNullable(found);
    }

    /** The newest base that covers at most {@code sequence}: the least log to fold for that sequence. */
    Optional<Base> baseFor(long sequence) {
        Base found = null;
        for (Base base : bases) {
            if (base.coveredSequence() <= sequence && (found == null || base.version() > found.version())) {
                found = base;
            }
        }
        return Optional.ofNullable(found);
    }

    /**
     * Whether a record read in sequence order belongs to a restore up to {@code atMicros} (null:
     * no time bound) and {@code toSequence}: false for the first one past either bound, which ends the search.
     */
    static boolean includes(LogRecord record, Long atMicros, long toSequence) {
        return record.sequence() <= toSequence && (atMicros == null || record.timestampMicros() <= atMicros);
    }

    static long toMicros(Instant instant) {
        return instant.getEpochSecond() * 1_000_000L + instant.getNano() / 1_000;
    }

    static Instant toInstant(long micros) {
        return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1_000);
    }
}
