package io.ledgerdisk.chunk.compaction;

import io.ledgerdisk.chunk.manifest.Manifest;
import io.ledgerdisk.chunk.store.ChunkId;
import io.ledgerdisk.chunk.store.ChunkStore;
import io.ledgerdisk.chunk.store.StoredChunk;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes the objects of a chunk store that nothing can reach any more: chunks replaced by
 * folds and merges, chunks of folds that crashed or lost their commit, and stored manifests
 * that fell out of retention.
 *
 * <p>The caller decides what is reachable (every manifest version in the retention window,
 * every snapshot's manifest, every clone's parent manifests, and the stored-manifest objects
 * their heads name) because only the metadata group knows. Objects younger than the grace
 * period are kept even when unreachable: a fold may have written them and not yet committed.
 *
 * <p>Thread-safe.
 */
public final class ChunkGarbageCollector {
    private static final Logger LOG = LoggerFactory.getLogger(ChunkGarbageCollector.class);

    /**
     * What one collection did.
     *
     * @param deleted objects deleted
     * @param bytesFreed their total size
     * @param keptYoung unreachable objects kept because they are younger than the grace period
     * @param reachable objects kept because they are reachable
     */
    public record Report(List<ChunkId> deleted, long bytesFreed, int keptYoung, int reachable) {
        public Report {
            deleted = List.copyOf(deleted);
        }
    }

    private final ChunkStore store;
    private final Duration grace;
    private final LongSupplier clockMillis;

    public ChunkGarbageCollector(ChunkStore store, Duration grace, LongSupplier clockMillis) {
        this.store = Objects.requireNonNull(store, "store");
        this.grace = Objects.requireNonNull(grace, "grace");
        this.clockMillis = Objects.requireNonNull(clockMillis, "clockMillis");
    }

    /** Every chunk the given manifests reach. */
    public static Set<ChunkId> reachableFrom(Collection<Manifest> manifests) {
        Set<ChunkId> out = new HashSet<>();
        for (Manifest m : manifests) {
            m.chunks().forEach(c -> out.add(c.id()));
        }
        return out;
    }

    /**
     * Deletes every object in {@code scope} (for example one volume's ids, or everything) that
     * is neither in {@code reachable} nor younger than the grace period.
     */
    public CompletableFuture<Report> collect(Set<ChunkId> reachable, Predicate<ChunkId> scope) {
        long cutoff = clockMillis.getAsLong() - grace.toMillis();
        return store.list().thenCompose(objects -> {
            List<StoredChunk> doomed = new ArrayList<>();
            int young = 0;
            int kept = 0;
            for (StoredChunk o : objects) {
                if (!scope.test(o.id())) {
                    continue;
                }
                if (reachable.contains(o.id())) {
                    kept++;
                } else if (o.modifiedMillis() > cutoff) {
                    young++;
                } else {
                    doomed.add(o);
                }
            }
            List<CompletableFuture<Void>> deletes = new ArrayList<>();
            for (StoredChunk o : doomed) {
                deletes.add(store.delete(o.id()));
            }
            int keptYoung = young;
            int keptReachable = kept;
            return CompletableFuture.allOf(deletes.toArray(CompletableFuture[]::new)).thenApply(v -> {
                long freed = doomed.stream().mapToLong(StoredChunk::length).sum();
                if (!doomed.isEmpty()) {
                    LOG.info("Garbage collection deleted {} unreachable objects ({} bytes) from {}", doomed.size(), freed,
                            store);
                }
                return new Report(doomed.stream().map(StoredChunk::id).toList(), freed, keptYoung, keptReachable);
            });
        });
    }
}
