package io.ledgerdisk.appliance.volume;

import io.ledgerdisk.chunk.manifest.Manifest;
import io.ledgerdisk.meta.ManifestVersion;
import io.ledgerdisk.meta.MetaClient;
import io.ledgerdisk.meta.MetaException;
import io.ledgerdisk.meta.SnapshotRecord;
import io.ledgerdisk.meta.VolumeInfo;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Snapshots and clones (DESIGN.md, "Point-in-time restore, snapshots, clones"). Nothing is
 * copied: a snapshot pins one committed manifest version in the metadata group; a clone is a new
 * volume whose first manifest lists the snapshot's chunks and extent map under the clone's id.
 *
 * <p>Taking a snapshot first folds the volume's memtables (work bounded by the memtable size, not
 * the volume size), so the pinned manifest holds every write acknowledged before the request.
 * Thread-safe.
 */
public final class VolumeSnapshots {

    private static final Logger LOG = LoggerFactory.getLogger(VolumeSnapshots.class);
    /** A fold can leave the newest writes in memory when it finishes an earlier, interrupted fold first. */
    private static final int MAX_FOLDS = 4;

    private final MetaClient meta;
    private final VolumeCatalog volumes;
    private final VolumeCompactor compactor;

    public VolumeSnapshots(MetaClient meta, VolumeCatalog volumes, VolumeCompactor compactor) {
        this.meta = meta;
        this.volumes = volumes;
        this.compactor = compactor;
    }

    /**
     * Takes snapshot {@code name} of a volume open on this node and starts serving it as
     * {@code VOL@SNAP}. Fails with {@link VolumeOperationException} if the volume is not open here,
     * or a {@link MetaException} the metadata group raised (bad name, duplicate).
     */
    public CompletableFuture<SnapshotRecord> create(String volume, String name) {
        VolumeEngine engine = volumes.engine(volume).orElse(null);
        if (engine == null) {
            return CompletableFuture.failedFuture(VolumeOperationException.notOpen(volume));
        }
        long started = System.nanoTime();
        long acknowledged = engine.log().lastSequence();
        return foldThrough(engine, acknowledged, MAX_FOLDS)
                .thenCompose(manifest -> meta.createSnapshot(volume, name, manifest.version()))
                .thenCompose(info -> {
                    SnapshotRecord snapshot = info.snapshot(name).orElseThrow();
                    return volumes.openSnapshot(info, snapshot).thenApply(device -> {
                        LOG.info("snapshot {} pins manifest v{} (sequence {}) in {} ms", device.exportName(),
                                snapshot.manifestVersion(), snapshot.coveredSequence(), (System.nanoTime() - started) / 1_000_000);
                        return snapshot;
                    });
                });
    }

    /** Folds until the committed manifest covers {@code sequence}. */
    private CompletableFuture<Manifest> foldThrough(VolumeEngine engine, long sequence, int attempts) {
        return compactor.compact(engine).thenCompose(manifest -> {
            if (manifest.coveredSequence() >= sequence) {
                return CompletableFuture.completedFuture(manifest);
            }
            if (attempts <= 1) {
                return CompletableFuture.failedFuture(new VolumeOperationException(VolumeOperationException.Kind.UNAVAILABLE,
                        "volume " + engine.name() + " could not be folded up to sequence " + sequence + " (manifest v"
                                + manifest.version() + " covers " + manifest.coveredSequence() + "); try again"));
            }
            return foldThrough(engine, sequence, attempts - 1);
        });
    }

    /** The volume's snapshots, ordered by name. */
    public CompletableFuture<List<SnapshotRecord>> list(String volume) {
        return requireInfo(volume).thenApply(VolumeInfo::snapshots);
    }

    /** Deletes a snapshot and stops serving it; garbage collection may then free the chunks only it reached. */
    public CompletableFuture<Void> delete(String volume, String name) {
        return meta.deleteSnapshot(volume, name).thenAccept(info -> {
            volumes.closeSnapshot(volume, name);
            LOG.info("snapshot {} deleted", VolumeCatalog.exportName(volume, name));
        });
    }

    /**
     * Makes {@code clone}, a writable volume that starts as snapshot {@code VOL@SNAP}: its manifest
     * v1 is the snapshot's manifest relabelled (same chunks, same extent map, covered sequence 0 in
     * the clone's own log), created in one metadata command, then opened here. The parent never
     * changes; the clone's later writes go to its own log and chunks.
     */
    public CompletableFuture<VolumeInfo> clone(String volume, String snapshotName, String clone) {
        long started = System.nanoTime();
        return requireInfo(volume).thenCompose(info -> {
            SnapshotRecord snapshot = info.snapshot(snapshotName).orElseThrow(() -> new MetaException(MetaException.Code.NOT_FOUND,
                    "volume '" + volume + "' has no snapshot '" + snapshotName + "'; list them with 'ledgerdisk snapshot list "
                            + volume + "'"));
            String origin = VolumeCatalog.exportName(volume, snapshotName);
            return volumes.pinnedManifest(info, snapshot)
                    .thenCompose(manifest -> createFrom(clone, info, origin, id -> CompletableFuture.completedFuture(manifest)))
                    .whenComplete((created, failure) -> {
                        if (failure == null) {
                            LOG.info("volume {} cloned from {} in {} ms", clone, origin, (System.nanoTime() - started) / 1_000_000);
                        }
                    });
        });
    }

    /**
     * Creates volume {@code name} (size and pool of {@code parent}) whose manifest v1 has the
     * chunks and extents {@code source} builds for the volume's reserved id, and opens it. Shared
     * by clones and restores.
     */
    CompletableFuture<VolumeInfo> createFrom(String name, VolumeInfo parent, String origin,
            Function<Long, CompletableFuture<Manifest>> source) {
        return meta.volume(name).thenCompose(existing -> {
            if (existing.isPresent()) {
                throw new MetaException(MetaException.Code.ALREADY_EXISTS, "volume '" + name + "' already exists");
            }
            return meta.reserveVolumeId();
        }).thenCompose(id -> source.apply(id).thenCompose(built -> {
            long now = nowMicros();
            Manifest first = new Manifest(id, 1, built.chunks(), built.extents(), 0, now);
            return volumes.manifests().save(first).thenCompose(head -> meta.createVolumeFrom(name, id, parent.volume().sizeBytes(),
                    parent.pool(), origin, new ManifestVersion(1, List.of(), 0, now, ManifestLocation.encode(head))));
        })).thenCompose(info -> volumes.open(info).thenApply(engine -> info));
    }

    private CompletableFuture<VolumeInfo> requireInfo(String volume) {
        return meta.volumeInfo(volume).thenApply(found -> found.orElseThrow(() -> new MetaException(MetaException.Code.NOT_FOUND,
                "volume '" + volume + "' does not exist")));
    }

    static long nowMicros() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
    }
}
