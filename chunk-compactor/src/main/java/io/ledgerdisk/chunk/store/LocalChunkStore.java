package io.ledgerdisk.chunk.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chunks as files in one local directory (by default {@code DATA/chunks}), one file per chunk
 * named by its id.
 *
 * <p>A put writes a temporary file, fsyncs it, renames it into place and fsyncs the directory
 * before the future completes: after a crash a chunk is either absent or complete, never
 * torn. Leftover temporary files of puts that crashed are removed when the store opens.
 *
 * <p>Thread-safe. Blocking file I/O runs on the store's own small thread pool, never on the
 * caller's thread; only {@link #residentRange} works on the caller's thread, and only on bytes the
 * page cache already holds.
 */
public final class LocalChunkStore implements ChunkStore {
    private static final Logger LOG = LoggerFactory.getLogger(LocalChunkStore.class);
    private static final String TEMP_PREFIX = ".tmp-";

    private final Path directory;
    private final ExecutorService executor;
    /** Mappings of recently read chunks (immutable files, so one mapping serves all readers). */
    private final MappedChunkFiles mappedFiles = new MappedChunkFiles(512);
    private final AtomicLong tempCounter = new AtomicLong();

    private LocalChunkStore(Path directory, int threads) {
        this.directory = directory;
        AtomicInteger n = new AtomicInteger();
        this.executor = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "chunk-store-local-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Opens (creating if needed) the chunk directory; blocks while it removes temporary files
     * left by puts that crashed.
     *
     * @param directory the directory that holds the chunk files
     * @param threads threads for file I/O (2 to 8 is plenty for one SSD)
     */
    public static LocalChunkStore open(Path directory, int threads) {
        Objects.requireNonNull(directory, "directory");
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        }
        try {
            Files.createDirectories(directory);
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory, TEMP_PREFIX + "*")) {
                for (Path stale : entries) {
                    LOG.info("Removing {}, left by a chunk write that did not finish", stale);
                    Files.deleteIfExists(stale);
                }
            }
        } catch (IOException e) {
            throw new ChunkStoreException("cannot open chunk directory " + directory
                    + " (does it exist and is it writable?)", e);
        }
        return new LocalChunkStore(directory, threads);
    }

    /** The directory this store keeps its chunks in. */
    public Path directory() {
        return directory;
    }

    /** Where the file of {@code id} lives (whether or not it exists). */
    public Path pathOf(ChunkId id) {
        return directory.resolve(id.value());
    }

    @Override
    public CompletableFuture<Void> put(ChunkId id, byte[] bytes) {
        Objects.requireNonNull(bytes, "bytes");
        return put(id, ByteBuffer.wrap(bytes));
    }

    /** Writes the buffer as it is: a direct one goes to the file without an intermediate copy. */
    @Override
    public CompletableFuture<Void> put(ChunkId id, ByteBuffer bytes) {
        Objects.requireNonNull(bytes, "bytes");
        ByteBuffer source = bytes.duplicate();
        return run("put", id, () -> {
            Path temp = tempFile(id);
            try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                while (source.hasRemaining()) {
                    ch.write(source);
                }
                ch.force(true);
            }
            publish(temp, id);
            return null;
        });
    }

    @Override
    public CompletableFuture<Void> put(ChunkId id, Path file) {
        Objects.requireNonNull(file, "file");
        return run("put", id, () -> {
            Path temp = tempFile(id);
            Files.copy(file, temp);
            try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            publish(temp, id);
            return null;
        });
    }

    @Override
    public CompletableFuture<byte[]> getRange(ChunkId id, long offset, int length) {
        if (offset < 0 || length < 0) {
            return CompletableFuture.failedFuture(new IllegalArgumentException(
                    "bad range offset=" + offset + " length=" + length + " for chunk " + id));
        }
        return run("read", id, () -> mappedFiles.read(id, pathOf(id), offset, length));
    }

    /**
     * A view of the range when the chunk is mapped and the page cache holds every page of it: no copy,
     * no hand-off to the store's threads. Null otherwise (not mapped yet, pages not resident, or a range
     * past the end, which {@link #getRange} then reports).
     */
    @Override
    public ByteBuffer residentRange(ChunkId id, long offset, int length) {
        return mappedFiles.residentRange(id, offset, length);
    }

    @Override
    public CompletableFuture<Long> size(ChunkId id) {
        return run("size", id, () -> Files.size(pathOf(id)));
    }

    @Override
    public CompletableFuture<Void> delete(ChunkId id) {
        return run("delete", id, () -> {
            mappedFiles.forget(id);
            Files.deleteIfExists(pathOf(id));
            return null;
        });
    }

    @Override
    public CompletableFuture<List<StoredChunk>> list() {
        try {
            return CompletableFuture.supplyAsync(this::listNow, executor);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            return CompletableFuture.failedFuture(new ChunkStoreException("chunk store " + directory + " is closed", e));
        }
    }

    private List<StoredChunk> listNow() {
        {
            List<StoredChunk> out = new ArrayList<>();
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory)) {
                for (Path p : entries) {
                    String name = p.getFileName().toString();
                    if (name.startsWith(TEMP_PREFIX)) {
                        continue;
                    }
                    ChunkId id;
                    try {
                        id = new ChunkId(name);
                    } catch (IllegalArgumentException notOurs) {
                        LOG.debug("Ignoring {} in the chunk directory: not a chunk name", p);
                        continue;
                    }
                    try {
                        BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
                        out.add(new StoredChunk(id, a.size(), a.lastModifiedTime().toMillis()));
                    } catch (NoSuchFileException deletedMeanwhile) {
                        LOG.debug("{} was deleted while listing", p);
                    }
                }
            } catch (IOException e) {
                throw new ChunkStoreException("cannot list chunk directory " + directory, e);
            }
            return out;
        }
    }

    @Override
    public void close() {
        executor.shutdown();
        mappedFiles.clear();
    }

    @Override
    public String toString() {
        return "local chunk store " + directory;
    }

    private Path tempFile(ChunkId id) {
        return directory.resolve(TEMP_PREFIX + id.value() + "-" + tempCounter.incrementAndGet());
    }

    /** Renames a synced temp file into place and syncs the directory so the name is durable. */
    private void publish(Path temp, ChunkId id) throws IOException {
        try {
            Files.move(temp, pathOf(id), StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            Files.deleteIfExists(temp);
            throw e;
        }
        try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
            dir.force(true);
        }
    }

    private interface IoAction<T> {
        T run() throws IOException;
    }

    private <T> CompletableFuture<T> run(String operation, ChunkId id, IoAction<T> action) {
        Objects.requireNonNull(id, "id");
        Supplier<T> task = () -> {
            try {
                return action.run();
            } catch (NoSuchFileException e) {
                throw new ChunkNotFoundException(id, directory.toString());
            } catch (IOException | UncheckedIOException e) {
                throw new ChunkStoreException(operation + " of chunk " + id + " in " + directory + " failed: " + e, e);
            }
        };
        try {
            return CompletableFuture.supplyAsync(task, executor);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            return CompletableFuture.failedFuture(new ChunkStoreException("chunk store " + directory + " is closed", e));
        }
    }
}
