package io.ledgerdisk.chunk.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A bounded local read cache in front of a remote chunk store (S3): whole chunks are kept as
 * files in a local directory, least recently used evicted first once their total size passes
 * the byte budget.
 *
 * <p>Why whole chunks: a chunk is read frame by frame, and neighbouring blocks of a volume sit
 * in the same chunk, so the first miss fetches the object once with one GET and later reads of
 * that chunk (its index, its other frames) are local. Chunks larger than a quarter of the
 * budget are not cached; their ranges go straight to the remote store. Writes go to the remote
 * store first and are then kept in the cache (a fold's chunks are read soon after). Cached files
 * survive restarts: the directory is adopted when the store opens.
 *
 * <p>The cache holds only immutable objects, so it never serves stale data; a file whose
 * content was damaged locally is caught by the chunk format's CRC32C like any other corruption.
 *
 * <p>Thread-safe. Concurrent misses of one chunk share a single download.
 */
public final class CachingChunkStore implements ChunkStore {
    private static final Logger LOG = LoggerFactory.getLogger(CachingChunkStore.class);
    private static final String TEMP_PREFIX = ".tmp-";

    private final ChunkStore remote;
    private final Path directory;
    private final long maxBytes;
    private final ExecutorService executor;
    /** Cached chunk → file length, in access order (eldest first). Guarded by itself. */
    private final LinkedHashMap<ChunkId, Long> lru = new LinkedHashMap<>(64, 0.75f, true);
    private final Map<ChunkId, CompletableFuture<byte[]>> downloads = new HashMap<>();
    private long cachedBytes;
    private final AtomicLong hits = new AtomicLong();
    private final AtomicLong misses = new AtomicLong();
    private final AtomicLong tempCounter = new AtomicLong();
    /** Mappings of recently read cached files, so resident ranges are served without a hand-off. */
    private final MappedChunkFiles mappedFiles = new MappedChunkFiles(512);

    private CachingChunkStore(ChunkStore remote, Path directory, long maxBytes) {
        this.remote = remote;
        this.directory = directory;
        this.maxBytes = maxBytes;
        AtomicInteger n = new AtomicInteger();
        this.executor = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "chunk-cache-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Opens the cache in {@code directory} (created if needed; files already there are adopted,
     * oldest first, and trimmed to the budget); blocks while it scans the directory.
     *
     * @param remote the store being cached; closed with this one
     * @param maxBytes the byte budget of the cache directory
     */
    public static CachingChunkStore open(ChunkStore remote, Path directory, long maxBytes) {
        Objects.requireNonNull(remote, "remote");
        Objects.requireNonNull(directory, "directory");
        if (maxBytes < 1) {
            throw new IllegalArgumentException("cache budget must be positive, got " + maxBytes);
        }
        CachingChunkStore cache = new CachingChunkStore(remote, directory, maxBytes);
        cache.adoptExisting();
        return cache;
    }

    /** Reads served from the local cache. */
    public long hits() {
        return hits.get();
    }

    /** Reads that had to go to the remote store. */
    public long misses() {
        return misses.get();
    }

    /** Bytes held in the cache directory. */
    public long cachedBytes() {
        synchronized (lru) {
            return cachedBytes;
        }
    }

    /** Whether {@code id} is held locally. */
    public boolean isCached(ChunkId id) {
        synchronized (lru) {
            return lru.containsKey(id);
        }
    }

    @Override
    public CompletableFuture<Void> put(ChunkId id, byte[] bytes) {
        return remote.put(id, bytes).thenRun(() -> keep(id, bytes));
    }

    @Override
    public CompletableFuture<Void> put(ChunkId id, Path file) {
        return remote.put(id, file);
    }

    @Override
    public CompletableFuture<byte[]> getRange(ChunkId id, long offset, int length) {
        if (isCached(id)) {
            return CompletableFuture.supplyAsync(() -> readLocal(id, offset, length), executor).thenCompose(local -> {
                if (local != null) {
                    hits.incrementAndGet();
                    synchronized (lru) {
                        lru.get(id); // marks it most recently used
                    }
                    return CompletableFuture.completedFuture(local);
                }
                return miss(id, offset, length);
            });
        }
        return miss(id, offset, length);
    }

    /** A view of a cached chunk's range when its pages are in the page cache; see {@link ChunkStore}. */
    @Override
    public ByteBuffer residentRange(ChunkId id, long offset, int length) {
        ByteBuffer bytes = mappedFiles.residentRange(id, offset, length);
        if (bytes != null) {
            hits.incrementAndGet();
            synchronized (lru) {
                lru.get(id); // marks it most recently used
            }
        }
        return bytes;
    }

    @Override
    public CompletableFuture<Long> size(ChunkId id) {
        Long cached;
        synchronized (lru) {
            cached = lru.get(id);
        }
        return cached != null ? CompletableFuture.completedFuture(cached) : remote.size(id);
    }

    @Override
    public CompletableFuture<Void> delete(ChunkId id) {
        drop(id);
        return remote.delete(id);
    }

    @Override
    public CompletableFuture<List<StoredChunk>> list() {
        return remote.list();
    }

    @Override
    public void close() {
        executor.shutdown();
        remote.close();
    }

    @Override
    public String toString() {
        return "cache " + directory + " in front of " + remote;
    }

    private CompletableFuture<byte[]> miss(ChunkId id, long offset, int length) {
        misses.incrementAndGet();
        return remote.size(id).thenCompose(size -> {
            if (size > maxBytes / 4) {
                return remote.getRange(id, offset, length);
            }
            return download(id, size).thenApply(all -> {
                if (offset + length > all.length) {
                    throw new ChunkStoreException("range [" + offset + ", " + (offset + length) + ") of chunk " + id
                            + " runs past its end (" + all.length + " bytes) in " + remote);
                }
                byte[] out = new byte[length];
                System.arraycopy(all, (int) offset, out, 0, length);
                return out;
            });
        });
    }

    private CompletableFuture<byte[]> download(ChunkId id, long size) {
        CompletableFuture<byte[]> f;
        boolean first = false;
        synchronized (downloads) {
            f = downloads.get(id);
            if (f == null) {
                f = new CompletableFuture<>();
                downloads.put(id, f);
                first = true;
            }
        }
        if (first) {
            CompletableFuture<byte[]> slot = f;
            remote.getRange(id, 0, Math.toIntExact(size)).thenApplyAsync(bytes -> {
                keep(id, bytes);
                return bytes;
            }, executor).whenComplete((bytes, error) -> {
                synchronized (downloads) {
                    downloads.remove(id, slot);
                }
                if (error != null) {
                    slot.completeExceptionally(error);
                } else {
                    slot.complete(bytes);
                }
            });
        }
        return f;
    }

    /** Writes a chunk into the cache directory and evicts the eldest entries past the budget. */
    private void keep(ChunkId id, byte[] bytes) {
        if (bytes.length > maxBytes / 4) {
            return;
        }
        Path temp = directory.resolve(TEMP_PREFIX + id.value() + "-" + tempCounter.incrementAndGet());
        try {
            // No fsync: a cache file lost in a crash is fetched again, and a torn one fails its CRC32C.
            Files.write(temp, bytes, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            Files.move(temp, directory.resolve(id.value()), StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            // The remote store holds the chunk; a cache that cannot write only costs speed.
            LOG.warn("Cannot cache chunk {} in {} (reads go to {}): {}", id, directory, remote, e.toString());
            try {
                Files.deleteIfExists(temp);
            } catch (IOException cleanup) {
                e.addSuppressed(cleanup);
                LOG.warn("Cannot remove {}: {}", temp, cleanup.toString());
            }
            return;
        }
        List<ChunkId> evicted = new ArrayList<>();
        synchronized (lru) {
            Long previous = lru.put(id, (long) bytes.length);
            cachedBytes += bytes.length - (previous == null ? 0 : previous);
            Iterator<Map.Entry<ChunkId, Long>> it = lru.entrySet().iterator();
            while (cachedBytes > maxBytes && it.hasNext()) {
                Map.Entry<ChunkId, Long> eldest = it.next();
                if (eldest.getKey().equals(id)) {
                    continue;
                }
                cachedBytes -= eldest.getValue();
                evicted.add(eldest.getKey());
                it.remove();
            }
        }
        for (ChunkId e : evicted) {
            deleteFile(e);
        }
    }

    private void drop(ChunkId id) {
        boolean had;
        synchronized (lru) {
            Long size = lru.remove(id);
            had = size != null;
            if (had) {
                cachedBytes -= size;
            }
        }
        if (had) {
            deleteFile(id);
        }
    }

    private void deleteFile(ChunkId id) {
        mappedFiles.forget(id);
        try {
            Files.deleteIfExists(directory.resolve(id.value()));
        } catch (IOException e) {
            LOG.warn("Cannot remove cached chunk {} from {}: {}", id, directory, e.toString());
        }
    }

    /** Reads a range from the cached file, or returns null if the file went away (evicted meanwhile). */
    private byte[] readLocal(ChunkId id, long offset, int length) {
        try {
            return mappedFiles.read(id, directory.resolve(id.value()), offset, length);
        } catch (NoSuchFileException evicted) {
            drop(id);
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read cached chunk " + id + " in " + directory, e);
        }
    }

    private void adoptExisting() {
        try {
            Files.createDirectories(directory);
            List<Path> files = new ArrayList<>();
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory)) {
                for (Path p : entries) {
                    files.add(p);
                }
            }
            List<StoredChunk> adopted = new ArrayList<>();
            for (Path p : files) {
                String name = p.getFileName().toString();
                if (name.startsWith(TEMP_PREFIX)) {
                    Files.deleteIfExists(p);
                    continue;
                }
                ChunkId id;
                try {
                    id = new ChunkId(name);
                } catch (IllegalArgumentException notOurs) {
                    continue;
                }
                BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
                adopted.add(new StoredChunk(id, a.size(), a.lastModifiedTime().toMillis()));
            }
            adopted.sort(Comparator.comparingLong(StoredChunk::modifiedMillis));
            List<ChunkId> evicted = new ArrayList<>();
            synchronized (lru) {
                for (StoredChunk o : adopted) {
                    lru.put(o.id(), o.length());
                    cachedBytes += o.length();
                }
                Iterator<Map.Entry<ChunkId, Long>> it = lru.entrySet().iterator();
                while (cachedBytes > maxBytes && it.hasNext()) {
                    Map.Entry<ChunkId, Long> eldest = it.next();
                    cachedBytes -= eldest.getValue();
                    evicted.add(eldest.getKey());
                    it.remove();
                }
            }
            evicted.forEach(this::deleteFile);
        } catch (IOException e) {
            throw new ChunkStoreException("cannot open chunk cache directory " + directory, e);
        }
    }
}
