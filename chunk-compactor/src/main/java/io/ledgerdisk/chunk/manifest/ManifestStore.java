package io.ledgerdisk.chunk.manifest;

import io.ledgerdisk.chunk.store.ChunkId;
import io.ledgerdisk.chunk.store.ChunkStore;
import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.zip.CRC32C;

/**
 * Keeps full manifests as objects in a chunk store, so that the metadata group only holds a
 * {@link ManifestHead} (about 70 bytes) per manifest version however big the extent map grows.
 *
 * <p>Thread-safe (stateless apart from the store, which is thread-safe).
 */
public final class ManifestStore {
    private final ChunkStore store;

    public ManifestStore(ChunkStore store) {
        this.store = Objects.requireNonNull(store, "store");
    }

    /** Writes {@code manifest} under a fresh object id; completes with the head to commit. */
    public CompletableFuture<ManifestHead> save(Manifest manifest) {
        byte[] encoded = ManifestFormat.encode(manifest);
        ChunkId id = ChunkId.newManifestObject(manifest.volumeId(), manifest.version());
        return store.put(id, encoded).thenApply(v -> ManifestFormat.headFor(manifest, id, encoded));
    }

    /**
     * Reads the manifest {@code head} points at and checks it is the one the head names.
     * Fails with {@link CorruptManifestException} on any mismatch.
     */
    public CompletableFuture<Manifest> load(ManifestHead head) {
        if (head.length() > Integer.MAX_VALUE - 8) {
            return CompletableFuture.failedFuture(new CorruptManifestException("manifest head names a "
                    + head.length() + "-byte object, more than one read can hold"));
        }
        return store.getRange(head.objectId(), 0, (int) head.length()).thenApply(bytes -> {
            CRC32C crc = new CRC32C();
            crc.update(bytes, 0, bytes.length - 4);
            if ((int) crc.getValue() != head.crc32c() || ByteBuffer.wrap(bytes).getInt(bytes.length - 4) != head.crc32c()) {
                throw new CorruptManifestException("stored manifest " + head.objectId() + " does not match its head's CRC32C");
            }
            Manifest m = ManifestFormat.decode(bytes);
            if (m.volumeId() != head.volumeId() || m.version() != head.version()) {
                throw new CorruptManifestException("stored manifest " + head.objectId() + " is volume " + m.volumeId()
                        + " version " + m.version() + ", but its head names volume " + head.volumeId()
                        + " version " + head.version());
            }
            return m;
        });
    }
}
