package io.ledgerdisk.appliance.volume;

import io.ledgerdisk.chunk.compaction.ChunkGarbageCollector;
import io.ledgerdisk.chunk.compaction.ChunkMerger;
import io.ledgerdisk.chunk.compaction.Compactor;
import io.ledgerdisk.chunk.compaction.FoldResult;
import io.ledgerdisk.chunk.manifest.Manifest;
import io.ledgerdisk.chunk.manifest.ManifestHead;
import io.ledgerdisk.chunk.manifest.ManifestReader;
import io.ledgerdisk.chunk.manifest.ManifestStore;
import io.ledgerdisk.chunk.store.ChunkId;
import io.ledgerdisk.meta.ManifestVersion;
import io.ledgerdisk.meta.MetaClient;
import io.ledgerdisk.meta.VolumeInfo;
import io.ledgerdisk.web.api.ByteSize;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Folds volumes' memtables into chunks (DESIGN.md, "Compaction"), merges wasteful chunks and
 * collects unreachable ones, on a timer and on demand.
 *
 * <p>One fold step: freeze the active memtable at a cut sequence; write its records as chunks
 * (sorted, LZ4, CRC32C) over the current manifest; store the new manifest; commit its head
 * through the metadata group; only then drop the frozen memtable. A crash anywhere before the
 * commit leaves chunks nothing reaches (collected after the grace period) and the records still
 * in the log; a crash after it replays from the new covered position. Steps of one volume run
 * one at a time; volumes fold independently. Thread-safe.
 */
public final class VolumeCompactor implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(VolumeCompactor.class);

    private final MetaClient meta;
    private final VolumeCatalog volumes;
    private final Compactor compactor;
    private final ChunkMerger merger;
    private final ManifestStore manifests;
    private final ManifestReader chunks;
    private final ChunkGarbageCollector collector;
    private final CompactionPolicy policy;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "ledgerdisk-compaction");
        thread.setDaemon(true);
        return thread;
    });
    private final Map<Long, CompletableFuture<Manifest>> running = new ConcurrentHashMap<>();
    private final Map<String, Manifest> loadedManifests = new ConcurrentHashMap<>();
    private volatile CompletableFuture<ChunkGarbageCollector.Report> collecting = CompletableFuture.completedFuture(null);

    public VolumeCompactor(MetaClient meta, VolumeCatalog volumes, Compactor compactor, ChunkMerger merger, ManifestStore manifests,
            ManifestReader chunks, ChunkGarbageCollector collector, CompactionPolicy policy) {
        this.meta = meta;
        this.volumes = volumes;
        this.compactor = compactor;
        this.merger = merger;
        this.manifests = manifests;
        this.chunks = chunks;
        this.collector = collector;
        this.policy = policy;
    }

    /** Starts the timers: fold triggers every check interval, garbage collection every gc interval. */
    public VolumeCompactor start() {
        long check = policy.checkInterval().toMillis();
        timer.scheduleWithFixedDelay(this::foldWhereDue, check, check, TimeUnit.MILLISECONDS);
        long gc = policy.gcInterval().toMillis();
        timer.scheduleWithFixedDelay(() -> collectGarbage(), gc, gc, TimeUnit.MILLISECONDS);
        return this;
    }

    /**
     * Folds everything the volume holds in memory now, then merges its chunks if that is worth
     * it; completes with the committed manifest (the current one if there was nothing to do).
     */
    public CompletableFuture<Manifest> compact(VolumeEngine engine) {
        return serialized(engine, () -> fold(engine).thenCompose(folded -> merge(engine))
                .thenCompose(merged -> retain(engine).thenApply(v -> merged)));
    }

    /**
     * Deletes chunks and stored manifests that no committed manifest version reaches any more.
     * Never runs beside a fold or merge (their chunks are not reachable until committed), and
     * folds started meanwhile wait for it; the grace period protects other nodes' folds.
     */
    public synchronized CompletableFuture<ChunkGarbageCollector.Report> collectGarbage() {
        if (!collecting.isDone()) {
            return collecting;
        }
        if (running.values().stream().anyMatch(step -> !step.isDone())) {
            return CompletableFuture.completedFuture(new ChunkGarbageCollector.Report(List.of(), 0, 0, 0));
        }
        collecting = reachable().thenCompose(reachable -> collector.collect(reachable, id -> true))
                .whenComplete((report, failure) -> {
                    if (failure != null) {
                        LOG.warn("chunk garbage collection failed, will retry: {}", failure.getMessage());
                    } else if (!report.deleted().isEmpty()) {
                        report.deleted().forEach(chunks::forget);
                        LOG.info("collected {} unreachable object(s), {} freed", report.deleted().size(),
                                ByteSize.format(report.bytesFreed()));
                    }
                });
        return collecting;
    }

    private void foldWhereDue() {
        for (VolumeEngine engine : volumes.engines()) {
            VolumeLayers layers = engine.layers();
            boolean due = layers.bufferedBytes() >= policy.foldBytes()
                    || layers.activeAgeNanos() >= policy.foldAge().toNanos()
                    || layers.isFull();
            CompletableFuture<Manifest> current = running.get(engine.volumeId());
            if (due && (current == null || current.isDone())) {
                compact(engine).whenComplete((manifest, failure) -> {
                    if (failure != null && !engine.isClosed()) {
                        LOG.warn("folding volume {} failed, will retry: {}", engine.name(), failure.getMessage());
                    }
                });
            }
        }
    }

    private synchronized CompletableFuture<Manifest> serialized(VolumeEngine engine, Supplier<CompletableFuture<Manifest>> step) {
        CompletableFuture<?> gc = collecting;
        return running.compute(engine.volumeId(), (id, previous) -> {
            CompletableFuture<?> before = previous == null ? gc : CompletableFuture.allOf(previous, gc);
            return before.isDone() ? step.get() : before.handle((m, e) -> null).thenCompose(v -> step.get());
        });
    }

    private CompletableFuture<Manifest> fold(VolumeEngine engine) {
        VolumeLayers layers = engine.layers();
        Optional<VolumeLayers.Frozen> frozen = layers.freeze();
        if (frozen.isEmpty()) {
            return CompletableFuture.completedFuture(layers.manifest());
        }
        VolumeLayers.Frozen folding = frozen.get();
        long started = System.nanoTime();
        return compactor.fold(layers.manifest(), folding.memtable().records(engine.volumeId()), folding.cutSequence())
                .thenCompose(result -> commit(engine, result, folding))
                .whenComplete((manifest, failure) -> {
                    if (failure == null) {
                        LOG.info("folded volume {} up to sequence {} into manifest v{} ({} chunk(s), {} stored) in {} ms",
                                engine.name(), manifest.coveredSequence(), manifest.version(), manifest.chunks().size(),
                                ByteSize.format(manifest.storedBytes()), (System.nanoTime() - started) / 1_000_000);
                    }
                });
    }

    private CompletableFuture<Manifest> merge(VolumeEngine engine) {
        return merger.merge(engine.layers().manifest()).thenCompose(result -> result.isEmpty()
                ? CompletableFuture.completedFuture(engine.layers().manifest())
                : commit(engine, result.get(), null).whenComplete((manifest, failure) -> {
                    if (failure == null) {
                        LOG.info("merged chunks of volume {} into manifest v{} ({} chunk(s), {} stored)", engine.name(),
                                manifest.version(), manifest.chunks().size(), ByteSize.format(manifest.storedBytes()));
                    }
                }));
    }

    /** Stores the manifest, commits its head through the metadata group, then installs it (dropping {@code folded}). */
    private CompletableFuture<Manifest> commit(VolumeEngine engine, FoldResult result, VolumeLayers.Frozen folded) {
        Manifest next = result.manifest();
        result.written().forEach(chunks::add);
        return manifests.save(next)
                .thenCompose(head -> meta.commitManifest(engine.volumeId(), new ManifestVersion(next.version(), List.of(),
                        next.coveredSequence(), next.createdMicros(), ManifestLocation.encode(head))))
                .thenApply(info -> {
                    engine.layers().install(next, folded);
                    return next;
                });
    }

    /**
     * Drops what the retention window no longer needs: manifest versions older than it (the
     * metadata group keeps pinned ones and the newest before the window), then the ledgers whose
     * records the oldest kept version already covers (never the ledger being written). The
     * metadata forgets a ledger before BookKeeper deletes it, so a crash in between only leaks it.
     */
    private CompletableFuture<Void> retain(VolumeEngine engine) {
        Instant now = Instant.now();
        return retention(engine).thenCompose(retention -> {
            Instant keepFrom = now.minus(retention);
            long keepFromMicros = keepFrom.getEpochSecond() * 1_000_000L + keepFrom.getNano() / 1_000;
            return meta.trimManifests(engine.volumeId(), keepFrom).thenCompose(info -> {
                    // A restore inside the window starts from the newest version older than the
                    // window; the log before that version is no longer needed.
                    long baseCovered = info.manifests().stream().filter(m -> m.createdMicros() < keepFromMicros)
                            .mapToLong(ManifestVersion::coveredSequence).max().orElse(0);
                    List<Long> folded = VolumeCatalog.coveredLedgers(info.volume().ledgers(), baseCovered);
                    if (folded.isEmpty()) {
                        return CompletableFuture.completedFuture(null);
                    }
                    return meta.trimLedgers(engine.volumeId(), folded)
                            .thenAccept(volume -> volumes.deleteLedgers(engine.name(), folded, "folded, out of retention"));
                });
        });
    }

    /** The volume's pool's retention, or the node's default when it has no pool or the pool names none. */
    private CompletableFuture<Duration> retention(VolumeEngine engine) {
        return meta.volumeInfo(engine.name()).thenCompose(info -> {
            String pool = info.map(VolumeInfo::pool).orElse(null);
            if (pool == null) {
                return CompletableFuture.completedFuture(policy.retention());
            }
            return meta.pools().thenApply(pools -> pools.stream().filter(p -> p.name().equals(pool)).findFirst()
                    .map(p -> Duration.ofNanos(p.retentionMicros() * 1_000)).orElse(policy.retention()));
        });
    }

    /** Every object a committed manifest version of any volume reaches: its chunks and the stored manifest itself. */
    private CompletableFuture<Set<ChunkId>> reachable() {
        return meta.listVolumes().thenCompose(list -> {
            List<CompletableFuture<Optional<VolumeInfo>>> infos = new ArrayList<>();
            list.forEach(v -> infos.add(meta.volumeInfo(v.name())));
            return CompletableFuture.allOf(infos.toArray(CompletableFuture[]::new)).thenCompose(all -> {
                Set<ChunkId> reachable = ConcurrentHashMap.newKeySet();
                List<CompletableFuture<Void>> loads = new ArrayList<>();
                Set<String> live = new HashSet<>();
                for (CompletableFuture<Optional<VolumeInfo>> info : infos) {
                    info.join().ifPresent(volume -> volume.manifests().forEach(version -> {
                        live.add(version.location());
                        ManifestHead head = ManifestLocation.decode(version);
                        reachable.add(head.objectId());
                        loads.add(load(version.location(), head).thenAccept(m -> m.chunks().forEach(c -> reachable.add(c.id()))));
                    }));
                }
                loadedManifests.keySet().retainAll(live);
                return CompletableFuture.allOf(loads.toArray(CompletableFuture[]::new)).thenApply(v -> (Set<ChunkId>) reachable);
            });
        });
    }

    private CompletableFuture<Manifest> load(String location, ManifestHead head) {
        Manifest cached = loadedManifests.get(location);
        if (cached != null) {
            return CompletableFuture.completedFuture(cached);
        }
        return manifests.load(head).thenApply(m -> {
            loadedManifests.put(location, m);
            return m;
        });
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
