package io.ledgerdisk.appliance.node;

import io.ledgerdisk.appliance.volume.VolumeCatalog;
import io.ledgerdisk.appliance.volume.VolumeCompactor;
import io.ledgerdisk.appliance.volume.VolumeOperationException;
import io.ledgerdisk.appliance.volume.VolumeRestore;
import io.ledgerdisk.appliance.volume.VolumeSnapshots;
import io.ledgerdisk.chunk.compaction.CompactionConfig;
import io.ledgerdisk.chunk.compaction.Compactor;
import io.ledgerdisk.chunk.store.ChunkId;
import io.ledgerdisk.meta.MetaClient;
import io.ledgerdisk.meta.SnapshotRecord;
import io.ledgerdisk.meta.VolumeInfo;
import io.ledgerdisk.web.api.ApiError;
import io.ledgerdisk.web.api.DerivedVolumeView;
import io.ledgerdisk.web.api.GarbageView;
import io.ledgerdisk.web.api.SnapshotControl;
import io.ledgerdisk.web.api.SnapshotView;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The node's answers to the snapshot, clone, restore and garbage-collection routes: the work is
 * done by {@link VolumeSnapshots} and {@link VolumeRestore}; this class maps results to views and
 * failures to API errors. Owns the executor restores fold on; {@link #close()} stops it.
 */
final class SnapshotControlPlane implements SnapshotControl, AutoCloseable {

    private final MetaClient meta;
    private final VolumeCompactor compactor;
    private final VolumeSnapshots snapshots;
    private final VolumeRestore restore;
    private final HostPort nbd;
    private final ExecutorService foldCpu = Executors.newSingleThreadExecutor(runnable -> {
        Thread thread = new Thread(runnable, "ledgerdisk-restore-fold");
        thread.setDaemon(true);
        return thread;
    });

    SnapshotControlPlane(MetaClient meta, VolumeCatalog volumes, VolumeCompactor compactor, HostPort nbd) {
        this.meta = meta;
        this.compactor = compactor;
        this.nbd = nbd;
        this.snapshots = new VolumeSnapshots(meta, volumes, compactor);
        Compactor folds = new Compactor(volumes.chunks(), CompactionConfig.defaults(), foldCpu, SnapshotControlPlane::nowMicros);
        this.restore = new VolumeRestore(meta, volumes, snapshots, folds);
    }

    @Override
    public CompletableFuture<SnapshotView> createSnapshot(String volume, String name) {
        return translate(snapshots.create(volume, name).thenApply(s -> view(volume, s)));
    }

    @Override
    public CompletableFuture<List<SnapshotView>> listSnapshots(String volume) {
        return translate(snapshots.list(volume).thenApply(list -> list.stream().map(s -> view(volume, s)).toList()));
    }

    @Override
    public CompletableFuture<Void> deleteSnapshot(String volume, String name) {
        return translate(snapshots.delete(volume, name));
    }

    @Override
    public CompletableFuture<DerivedVolumeView> cloneVolume(String volume, String snapshot, String name) {
        long started = System.nanoTime();
        return translate(snapshots.clone(volume, snapshot, name).thenApply(info -> new DerivedVolumeView(name, info.origin(),
                -1, 0, 0, (System.nanoTime() - started) / 1_000_000, uri(name))));
    }

    @Override
    public CompletableFuture<DerivedVolumeView> restoreVolume(String volume, Instant at, long sequence, String name) {
        CompletableFuture<VolumeRestore.Result> restored = at != null
                ? restore.restoreAt(volume, at, name)
                : restore.restoreToSequence(volume, sequence, name);
        return translate(restored.thenApply(r -> new DerivedVolumeView(name, r.volume().origin(), r.sequence(),
                r.baseManifestVersion(), r.foldedRecords(), r.millis(), uri(name))));
    }

    @Override
    public CompletableFuture<GarbageView> collectGarbage(Duration retention) {
        AtomicInteger trimmed = new AtomicInteger();
        CompletableFuture<Void> trimming = retention == null ? CompletableFuture.completedFuture(null)
                : trimHistories(Instant.now().minus(retention), trimmed);
        return translate(trimming.thenCompose(v -> compactor.collectGarbage()).thenApply(report -> new GarbageView(trimmed.get(),
                report.deleted().stream().map(ChunkId::value).toList(), report.bytesFreed(), report.reachable())));
    }

    private CompletableFuture<Void> trimHistories(Instant keepFrom, AtomicInteger trimmed) {
        return meta.listVolumes().thenCompose(list -> {
            List<CompletableFuture<Void>> trims = new ArrayList<>();
            list.forEach(volume -> trims.add(meta.volumeInfo(volume.name()).thenCompose(found -> {
                if (found.isEmpty()) {
                    return CompletableFuture.completedFuture(null);
                }
                int before = found.get().manifests().size();
                return meta.trimManifests(volume.id(), keepFrom)
                        .thenAccept(after -> trimmed.addAndGet(before - after.manifests().size()));
            })));
            return CompletableFuture.allOf(trims.toArray(CompletableFuture[]::new));
        });
    }

    private SnapshotView view(String volume, SnapshotRecord snapshot) {
        String export = VolumeCatalog.exportName(volume, snapshot.name());
        Instant created = Instant.ofEpochSecond(snapshot.createdMicros() / 1_000_000, (snapshot.createdMicros() % 1_000_000) * 1_000);
        return new SnapshotView(volume, snapshot.name(), export, snapshot.manifestVersion(), snapshot.coveredSequence(),
                created.toString(), uri(export));
    }

    private String uri(String export) {
        return "nbd://" + nbd.host() + ":" + nbd.port() + "/" + export;
    }

    /** Metadata refusals as {@link NodeControlPlane#translate} maps them; this node's own refusals by their kind. */
    private static <T> CompletableFuture<T> translate(CompletableFuture<T> operation) {
        return NodeControlPlane.translate(operation.exceptionallyCompose(failure -> {
            Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
            if (cause instanceof VolumeOperationException refused) {
                ApiError.Kind kind = switch (refused.kind()) {
                    case NOT_FOUND -> ApiError.Kind.NOT_FOUND;
                    case INVALID -> ApiError.Kind.BAD_REQUEST;
                    case UNAVAILABLE -> ApiError.Kind.UNAVAILABLE;
                };
                return CompletableFuture.failedFuture(new ApiError(kind, refused.getMessage()));
            }
            return CompletableFuture.failedFuture(cause);
        }));
    }

    private static long nowMicros() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
    }

    @Override
    public void close() {
        foldCpu.shutdownNow();
    }
}
