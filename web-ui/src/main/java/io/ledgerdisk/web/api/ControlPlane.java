package io.ledgerdisk.web.api;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * What the REST API controls on a node. The appliance implements it; the web layer only
 * translates HTTP to these calls and their failures ({@link ApiError}) to status codes.
 * Implementations must not block: every call returns a future.
 */
public interface ControlPlane {

    /** Each part of the node and whether it is up, e.g. {@code metadata -> true}. */
    Map<String, Boolean> health();

    CompletableFuture<List<VolumeView>> listVolumes();

    CompletableFuture<VolumeView> volume(String name);

    CompletableFuture<VolumeView> createVolume(String name, long sizeBytes);

    CompletableFuture<Void> deleteVolume(String name);

    /** Folds everything the volume holds in memory into chunks; completes once the manifest is committed. */
    CompletableFuture<CompactionView> compactVolume(String name);

    /** Scrubs every chunk of the volume's current manifest and reports each bad frame. */
    CompletableFuture<VerifyView> verifyVolume(String name);
}
