package io.ledgerdisk.appliance.node;

import io.ledgerdisk.appliance.volume.VolumeCatalog;
import io.ledgerdisk.appliance.volume.VolumeCompactor;
import io.ledgerdisk.appliance.volume.VolumeEngine;
import io.ledgerdisk.chunk.manifest.Manifest;
import io.ledgerdisk.chunk.manifest.ManifestReader;
import io.ledgerdisk.web.api.CompactionView;
import io.ledgerdisk.web.api.VerifyView;
import java.util.ArrayList;
import io.ledgerdisk.meta.MetaClient;
import io.ledgerdisk.meta.MetaException;
import io.ledgerdisk.meta.VolumeInfo;
import io.ledgerdisk.meta.VolumeRecord;
import io.ledgerdisk.web.api.ApiError;
import io.ledgerdisk.web.api.ControlPlane;
import io.ledgerdisk.web.api.VolumeView;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's answers to the REST API: volume operations go through the metadata group first
 * (it validates and decides), then the volume catalog opens or closes the volume here.
 */
final class NodeControlPlane implements ControlPlane {

    private static final Logger LOG = LoggerFactory.getLogger(NodeControlPlane.class);

    private final MetaClient meta;
    private final VolumeCatalog volumes;
    private final VolumeCompactor compactor;
    private final ManifestReader chunks;
    private final HostPort nbd;
    private final Supplier<Map<String, Boolean>> health;

    NodeControlPlane(MetaClient meta, VolumeCatalog volumes, VolumeCompactor compactor, ManifestReader chunks,
            HostPort nbd, Supplier<Map<String, Boolean>> health) {
        this.chunks = chunks;
        this.meta = meta;
        this.volumes = volumes;
        this.compactor = compactor;
        this.nbd = nbd;
        this.health = health;
    }

    @Override
    public Map<String, Boolean> health() {
        return health.get();
    }

    @Override
    public CompletableFuture<List<VolumeView>> listVolumes() {
        return translate(meta.listVolumes().thenApply(list -> list.stream().map(this::view).toList()));
    }

    @Override
    public CompletableFuture<VolumeView> volume(String name) {
        return translate(meta.volume(name).thenApply(found -> view(found.orElseThrow(
                () -> new ApiError(ApiError.Kind.NOT_FOUND, "no volume named '" + name + "'")))));
    }

    @Override
    public CompletableFuture<VolumeView> createVolume(String name, long sizeBytes) {
        return translate(createInDefaultPool(name, sizeBytes)
                .thenCompose(volumes::open)
                .thenCompose(engine -> meta.volume(name))
                .thenApply(found -> view(found.orElseThrow(
                        () -> new ApiError(ApiError.Kind.CONFLICT, "volume '" + name + "' was deleted while it was created")))));
    }

    /** A new volume goes to the {@code default} pool when there is one; without it, to no pool (as before pools existed). */
    private CompletableFuture<VolumeRecord> createInDefaultPool(String name, long sizeBytes) {
        return meta.pools().thenCompose(pools -> pools.stream().anyMatch(pool -> pool.name().equals(DefaultPool.NAME))
                ? meta.createVolume(name, sizeBytes, DefaultPool.NAME).thenApply(VolumeInfo::volume)
                : meta.createVolume(name, sizeBytes));
    }

    @Override
    public CompletableFuture<Void> deleteVolume(String name) {
        return translate(meta.volumeInfo(name).thenCompose(found -> {
            VolumeInfo info = found.orElseThrow(() -> new ApiError(ApiError.Kind.NOT_FOUND, "no volume named '" + name + "'"));
            VolumeRecord volume = info.volume();
            if (!info.snapshots().isEmpty()) {
                // Refuse before closing: the metadata group would refuse too, leaving the volume unserved.
                throw new ApiError(ApiError.Kind.CONFLICT, "volume '" + name + "' still has " + info.snapshots().size()
                        + " snapshot(s); delete them first (ledgerdisk snapshot list " + name + ")");
            }
            // Closing waits for the volume's outstanding appends: never on the caller's (event loop) thread.
            return volumes.closeAsync(name).thenCompose(v -> meta.deleteVolume(name)).thenRun(() -> volumes.deleteLedgers(name, volume.ledgers().stream().map(l -> l.ledgerId()).toList(), "volume deleted"));
        }));
    }

    @Override
    public CompletableFuture<CompactionView> compactVolume(String name) {
        return openEngine(name).thenCompose(engine -> compactor.compact(engine)).thenApply(manifest -> new CompactionView(name,
                manifest.version(), manifest.coveredSequence(), manifest.chunks().size(), manifest.storedBytes()));
    }

    @Override
    public CompletableFuture<VerifyView> verifyVolume(String name) {
        return openEngine(name).thenCompose(engine -> {
            Manifest manifest = engine.layers().manifest();
            return chunks.verify(manifest).thenApply(scrub -> {
                List<String> problems = new ArrayList<>(scrub.inconsistencies());
                scrub.chunks().forEach(chunk -> chunk.problems().forEach(p -> problems.add(p.getMessage())));
                problems.forEach(p -> LOG.error("volume {}: {}", name, p));
                return new VerifyView(name, manifest.version(), scrub.chunks().size(),
                        scrub.chunks().stream().mapToLong(c -> c.framesChecked()).sum(), problems);
            });
        });
    }

    private CompletableFuture<VolumeEngine> openEngine(String name) {
        return volumes.engine(name).map(CompletableFuture::completedFuture).orElseGet(() -> CompletableFuture.failedFuture(
                new ApiError(ApiError.Kind.NOT_FOUND, "no volume named '" + name + "' is open on this node")));
    }

    private VolumeView view(VolumeRecord volume) {
        long lastSequence = volumes.engine(volume.name()).map(VolumeEngine::log).map(log -> log.lastSequence()).orElse(-1L);
        return new VolumeView(volume.name(), volume.id(), volume.sizeBytes(),
                volume.ledgers().stream().map(l -> l.ledgerId()).toList(), lastSequence,
                "nbd://" + nbd.host() + ":" + nbd.port() + "/" + volume.name());
    }

    /** Maps metadata refusals onto API errors; anything else stays a server error. Shared with {@link ClusterControlPlane}. */
    static <T> CompletableFuture<T> translate(CompletableFuture<T> operation) {
        return operation.exceptionallyCompose(failure -> {
            Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
            if (cause instanceof MetaException meta) {
                ApiError.Kind kind = switch (meta.code()) {
                    case NOT_FOUND -> ApiError.Kind.NOT_FOUND;
                    case ALREADY_EXISTS, CONFLICT -> ApiError.Kind.CONFLICT;
                    case INVALID_ARGUMENT -> ApiError.Kind.BAD_REQUEST;
                    case UNAVAILABLE -> ApiError.Kind.UNAVAILABLE;
                };
                return CompletableFuture.failedFuture(new ApiError(kind, meta.getMessage()));
            }
            return CompletableFuture.failedFuture(cause);
        });
    }
}
