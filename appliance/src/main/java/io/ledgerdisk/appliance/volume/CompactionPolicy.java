package io.ledgerdisk.appliance.volume;

import io.ledgerdisk.web.api.ByteSize;
import io.ledgerdisk.web.api.DurationText;
import java.time.Duration;
import java.util.Map;

/**
 * When the node folds a volume's memtables into chunks, and how much it may hold before writes
 * wait; validated on construction.
 *
 * @param foldBytes        fold when a volume's memtables hold this many payload bytes
 * @param foldAge          ... or when the oldest unfolded write is this old
 * @param maxBufferedBytes writes to a volume wait (backpressure) above this many unfolded bytes
 * @param checkInterval    how often the triggers are checked
 * @param gcInterval       how often unreachable chunks are collected
 * @param gcGrace          chunks younger than this are never collected (a fold may be writing them)
 * @param retention        how far back a volume stays restorable when its pool names no retention:
 *                         older manifest versions and folded ledgers are then dropped (0: at once)
 */
public record CompactionPolicy(long foldBytes, Duration foldAge, long maxBufferedBytes, Duration checkInterval,
        Duration gcInterval, Duration gcGrace, Duration retention) {

    public CompactionPolicy {
        if (foldBytes <= 0 || maxBufferedBytes < foldBytes) {
            throw new IllegalArgumentException("compaction needs 0 < foldBytes <= maxBufferedBytes; got foldBytes " + foldBytes
                    + ", maxBufferedBytes " + maxBufferedBytes);
        }
        if (foldAge.isNegative() || foldAge.isZero() || checkInterval.isNegative() || checkInterval.isZero()
                || gcInterval.isNegative() || gcInterval.isZero() || gcGrace.isNegative() || retention.isNegative()) {
            throw new IllegalArgumentException("compaction durations must be positive (gc-grace and retention may be 0)");
        }
    }

    /** The {@code compaction.*} settings this policy reads, with their defaults. */
    public static final Map<String, String> KEYS = Map.of(
            "compaction.fold-bytes", "64M",
            "compaction.fold-age", "30s",
            "compaction.max-buffered-bytes", "512M",
            "compaction.check-interval", "1s",
            "compaction.gc-interval", "10m",
            "compaction.gc-grace", "1h",
            "compaction.retention", "24h");

    /**
     * Reads the {@code compaction.*} settings (other keys are ignored); sizes take K/M/G/T,
     * durations take ms/s/m/h.
     *
     * @throws IllegalArgumentException naming the setting that is wrong
     */
    public static CompactionPolicy fromProperties(Map<String, String> settings) {
        for (String key : settings.keySet()) {
            if (key.startsWith("compaction.") && !KEYS.containsKey(key)) {
                throw new IllegalArgumentException("unknown setting " + key + "; known: " + new java.util.TreeSet<>(KEYS.keySet()));
            }
        }
        return new CompactionPolicy(size(settings, "compaction.fold-bytes"), duration(settings, "compaction.fold-age"),
                size(settings, "compaction.max-buffered-bytes"), duration(settings, "compaction.check-interval"),
                duration(settings, "compaction.gc-interval"), duration(settings, "compaction.gc-grace"),
                duration(settings, "compaction.retention"));
    }

    private static long size(Map<String, String> settings, String key) {
        try {
            return ByteSize.parse(settings.getOrDefault(key, KEYS.get(key)));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(key + ": " + e.getMessage(), e);
        }
    }

    private static Duration duration(Map<String, String> settings, String key) {
        try {
            return DurationText.parse(settings.getOrDefault(key, KEYS.get(key)));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(key + ": " + e.getMessage(), e);
        }
    }

    /** Fold at 64 MiB or 30 s, hold at most 512 MiB per volume, collect every 10 min with 1 h of grace, keep 24 h. */
    public static CompactionPolicy defaults() {
        return fromProperties(Map.of());
    }
}
