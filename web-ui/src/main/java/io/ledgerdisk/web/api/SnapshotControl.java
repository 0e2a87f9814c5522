package io.ledgerdisk.web.api;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * What the REST API controls of snapshots, clones, point-in-time restores and chunk garbage
 * collection. The appliance implements it next to {@link ControlPlane}; implementations must not
 * block: every call returns a future, refusals are {@link ApiError}s.
 */
public interface SnapshotControl {

    /** Folds the volume's memory and pins the result as snapshot {@code name}, served read-only as {@code VOL@SNAP}. */
    CompletableFuture<SnapshotView> createSnapshot(String volume, String name);

    /** The volume's snapshots, ordered by name. */
    CompletableFuture<List<SnapshotView>> listSnapshots(String volume);

    /** Deletes a snapshot; its chunks are freed by the next garbage collection once nothing else reaches them. */
    CompletableFuture<Void> deleteSnapshot(String volume, String name);

    /** Makes writable volume {@code name} from snapshot {@code VOL@SNAP} without copying data. */
    CompletableFuture<DerivedVolumeView> cloneVolume(String volume, String snapshot, String name);

    /**
     * Makes volume {@code name} holding exactly the source's writes up to {@code at} (records with
     * a timestamp at or before it) or, when {@code at} is null, up to log sequence {@code sequence}.
     */
    CompletableFuture<DerivedVolumeView> restoreVolume(String volume, Instant at, long sequence, String name);

    /**
     * Drops, when {@code retention} is not null, manifest versions older than that from every
     * volume's history (never those a snapshot pins), then deletes chunks nothing reaches.
     */
    CompletableFuture<GarbageView> collectGarbage(Duration retention);
}
