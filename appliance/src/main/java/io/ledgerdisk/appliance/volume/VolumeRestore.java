package io.ledgerdisk.appliance.volume;

import io.ledgerdisk.chunk.compaction.Compactor;
import io.ledgerdisk.chunk.manifest.Manifest;
import io.ledgerdisk.journal.record.LogRecord;
import io.ledgerdisk.meta.MetaClient;
import io.ledgerdisk.meta.MetaException;
import io.ledgerdisk.meta.VolumeInfo;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Point-in-time restore (DESIGN.md, "Point-in-time restore, snapshots, clones"): a new volume
 * holding exactly the source's writes up to a moment (records stamped at or before it) or up to a
 * log sequence.
 *
 * <p>Steps: find the target sequence N (for a moment: read the log from the newest manifest
 * committed before it, stopping at the first later timestamp); pick the newest committed manifest
 * M covering at most N; fold the records (M.covered, N] over M, relabelled for the new volume, in
 * one {@link Compactor#fold}; create the new volume with the result as its manifest v1 (one
 * metadata command) and open it. The cost is reading and folding the log between two folds of the
 * source, never the volume's size: unchanged data stays in the chunks both volumes share.
 * Thread-safe.
 */
public final class VolumeRestore {

    /** What a restore made. */
    public record Result(VolumeInfo volume, long sequence, long baseManifestVersion, long foldedRecords, long millis) {
    }

    private static final Logger LOG = LoggerFactory.getLogger(VolumeRestore.class);
    private static final DateTimeFormatter MILLIS = DateTimeFormatter.ISO_INSTANT;

    private final MetaClient meta;
    private final VolumeCatalog volumes;
    private final VolumeSnapshots snapshots;
    private final Compactor compactor;

    /**
     * @param compactor folds the restored records; its reader must be {@code volumes.chunks()}
     */
    public VolumeRestore(MetaClient meta, VolumeCatalog volumes, VolumeSnapshots snapshots, Compactor compactor) {
        this.meta = meta;
        this.volumes = volumes;
        this.snapshots = snapshots;
        this.compactor = compactor;
    }

    /** Restores {@code volume} as it was at {@code at} into new volume {@code name}. */
    public CompletableFuture<Result> restoreAt(String volume, Instant at, String name) {
        if (at.isAfter(Instant.now())) {
            return CompletableFuture.failedFuture(new VolumeOperationException(VolumeOperationException.Kind.INVALID,
                    "cannot restore to " + MILLIS.format(at) + ": it is in the future"));
        }
        long atMicros = RestorePoint.toMicros(at);
        return requireInfo(volume).thenCompose(info -> {
            RestorePoint point = RestorePoint.of(info);
            RestorePoint.Base start = point.startAt(atMicros).orElseThrow(() -> outsideRetention(volume, MILLIS.format(at), point));
            return restore(info, point, start, atMicros, Long.MAX_VALUE, name);
        });
    }

    /** Restores {@code volume} up to log sequence {@code sequence} into new volume {@code name}. */
    public CompletableFuture<Result> restoreToSequence(String volume, long sequence, String name) {
        return requireInfo(volume).thenCompose(info -> {
            long acknowledged = volumes.engine(volume).map(e -> e.log().lastSequence()).orElse(Long.MAX_VALUE);
            if (sequence > acknowledged) {
                throw new VolumeOperationException(VolumeOperationException.Kind.INVALID, "volume '" + volume
                        + "' has acknowledged writes up to sequence " + acknowledged + " only; cannot restore to " + sequence);
            }
            RestorePoint point = RestorePoint.of(info);
            RestorePoint.Base start = point.baseFor(sequence).orElseThrow(() -> outsideRetention(volume, "sequence " + sequence, point));
            return restore(info, point, start, null, sequence, name);
        });
    }

    private CompletableFuture<Result> restore(VolumeInfo info, RestorePoint point, RestorePoint.Base start, Long atMicros,
            long toSequence, String name) {
        long started = System.nanoTime();
        String source = info.volume().name();
        // Never past what the writer has acknowledged: an entry read beyond the confirmed end may still be in flight.
        long acknowledged = volumes.engine(source).map(e -> e.log().lastSequence()).orElse(Long.MAX_VALUE);
        long limit = Math.min(toSequence, acknowledged);
        List<LogRecord> records = new ArrayList<>();
        List<Long> ledgers = VolumeCatalog.uncoveredLedgers(info.volume().ledgers(), start.coveredSequence());
        return LogHistory.read(volumes.bookKeeper(), volumes.journalConfig(), info.volume().id(), ledgers, start.coveredSequence(),
                record -> {
                    if (!RestorePoint.includes(record, atMicros, limit)) {
                        return false;
                    }
                    records.add(record);
                    return true;
                }).thenCompose(last -> {
                    if (atMicros == null && last < toSequence) {
                        throw new VolumeOperationException(VolumeOperationException.Kind.INVALID, "volume '" + source
                                + "' has no record " + toSequence + " in its log (the last one is " + last + ")");
                    }
                    RestorePoint.Base base = point.baseFor(last).orElse(start);
                    List<LogRecord> folded = records.stream().filter(r -> r.sequence() > base.coveredSequence()).toList();
                    String origin = source + "@seq:" + last;
                    return baseManifest(info, base)
                            .thenCompose(manifest -> snapshots.createFrom(name, info, origin,
                                    id -> fold(id, manifest, base.coveredSequence(), folded, last)))
                            .thenApply(created -> {
                                long millis = (System.nanoTime() - started) / 1_000_000;
                                LOG.info("volume {} restored from {} (manifest v{} + {} record(s)) in {} ms", name, origin,
                                        base.version(), folded.size(), millis);
                                return new Result(created, last, base.version(), folded.size(), millis);
                            });
                });
    }

    /** Folds the records over the base, all relabelled as volume {@code id}'s. */
    private CompletableFuture<Manifest> fold(long id, Manifest base, long covered, List<LogRecord> records, long toSequence) {
        if (records.isEmpty()) {
            return CompletableFuture.completedFuture(base);
        }
        Manifest relabelled = new Manifest(id, base.version(), base.chunks(), base.extents(), covered, base.createdMicros());
        List<LogRecord> ours = records.stream().map(r -> new LogRecord(id, r.sequence(), r.timestampMicros(), r.type(), r.offset(),
                r.length(), r.payload())).toList();
        return compactor.fold(relabelled, ours, toSequence).thenApply(result -> result.manifest());
    }

    private CompletableFuture<Manifest> baseManifest(VolumeInfo info, RestorePoint.Base base) {
        if (base.manifest() == null) {
            return CompletableFuture.completedFuture(Manifest.empty(info.volume().id(), info.volume().createdMicros()));
        }
        return volumes.manifests().load(ManifestLocation.decode(base.manifest()));
    }

    private static VolumeOperationException outsideRetention(String volume, String target, RestorePoint point) {
        String earliest = point.earliestMoment()
                .map(moment -> "the earliest restorable moment is " + MILLIS.format(moment.plus(999, ChronoUnit.MICROS)
                        .truncatedTo(ChronoUnit.MILLIS)))
                .orElse("no retained manifest and log can rebuild any moment of it");
        return new VolumeOperationException(VolumeOperationException.Kind.INVALID, "cannot restore volume '" + volume + "' to "
                + target + ": it is outside the retention window; " + earliest);
    }

    private CompletableFuture<VolumeInfo> requireInfo(String volume) {
        return meta.volumeInfo(volume).thenApply(found -> found.orElseThrow(() -> new MetaException(MetaException.Code.NOT_FOUND,
                "volume '" + volume + "' does not exist")));
    }
}
