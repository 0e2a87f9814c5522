package io.ledgerdisk.chunk.store;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which chunk store a node uses, loaded once from properties and validated with messages that
 * name the offending key. {@link #open()} builds the store.
 *
 * <table>
 * <caption>Properties (all optional except the bucket for S3)</caption>
 * <tr><th>key</th><th>default</th><th>meaning</th></tr>
 * <tr><td>{@code chunks.store}</td><td>{@code local}</td><td>{@code local} or {@code s3}</td></tr>
 * <tr><td>{@code chunks.dir}</td><td>{@code DATA/chunks}</td><td>local chunk directory</td></tr>
 * <tr><td>{@code chunks.threads}</td><td>4 (local), 8 (S3)</td><td>I/O threads / concurrent requests</td></tr>
 * <tr><td>{@code chunks.s3.endpoint}</td><td>AWS</td><td>e.g. {@code http://127.0.0.1:9000}</td></tr>
 * <tr><td>{@code chunks.s3.bucket}</td><td>—</td><td>bucket name (required for S3)</td></tr>
 * <tr><td>{@code chunks.s3.region}</td><td>{@code us-east-1}</td><td>signing region</td></tr>
 * <tr><td>{@code chunks.s3.path-style}</td><td>true with an endpoint</td><td>path-style addressing</td></tr>
 * <tr><td>{@code chunks.s3.access-key}, {@code chunks.s3.secret-key}</td><td>environment</td>
 *     <td>static credentials; without them the SDK reads {@code AWS_ACCESS_KEY_ID} /
 *     {@code AWS_SECRET_ACCESS_KEY}, profiles or the instance role</td></tr>
 * <tr><td>{@code chunks.s3.prefix}</td><td>empty</td><td>object key prefix</td></tr>
 * <tr><td>{@code chunks.s3.max-attempts}</td><td>8</td><td>attempts on 5xx / I/O errors</td></tr>
 * <tr><td>{@code chunks.cache.dir}</td><td>{@code DATA/chunk-cache}</td><td>S3 read cache</td></tr>
 * <tr><td>{@code chunks.cache.bytes}</td><td>1 GiB</td><td>read cache budget; 0 turns it off</td></tr>
 * <tr><td>{@code chunks.frame-cache.bytes}</td><td>256 MiB</td><td>decompressed frames kept in memory
 *     (either store); a read of a cached frame is a memory copy</td></tr>
 * </table>
 *
 * <p>Byte sizes take a binary suffix: {@code 512M}, {@code 1G}.
 *
 * @param kind local directory or S3
 * @param directory the local chunk directory (LOCAL)
 * @param threads I/O threads of a local store
 * @param s3 the S3 settings (S3), else null
 * @param cacheDirectory where the S3 read cache keeps chunks (S3)
 * @param cacheBytes read cache budget; 0 for no cache
 * @param frameCacheBytes decompressed frames kept in memory for the reads that follow; 0 for none
 */
public record ChunkStoreConfig(Kind kind, Path directory, int threads, S3ChunkStoreConfig s3, Path cacheDirectory,
        long cacheBytes, long frameCacheBytes) {

    /**
     * Default frame cache: 4096 decompressed frames of 64 KiB. A read that misses it checks and
     * decompresses a whole LZ4 frame to return 4 KiB; a hit is a 4 KiB copy. Raw frames whose pages the
     * page cache holds are checked in place and never cached.
     */
    public static final long DEFAULT_FRAME_CACHE_BYTES = 256L << 20;

    /** Where chunks live. */
    public enum Kind {
        LOCAL, S3
    }

    private static final Set<String> KEYS = Set.of("chunks.store", "chunks.dir", "chunks.threads", "chunks.s3.endpoint",
            "chunks.s3.bucket", "chunks.s3.region", "chunks.s3.path-style", "chunks.s3.access-key",
            "chunks.s3.secret-key", "chunks.s3.prefix", "chunks.s3.max-attempts", "chunks.cache.dir",
            "chunks.cache.bytes", "chunks.frame-cache.bytes");

    public ChunkStoreConfig {
        Objects.requireNonNull(kind, "kind");
        if (kind == Kind.LOCAL && directory == null) {
            throw new IllegalArgumentException("a local chunk store needs chunks.dir");
        }
        if (kind == Kind.S3 && (s3 == null || (cacheBytes > 0 && cacheDirectory == null))) {
            throw new IllegalArgumentException("an S3 chunk store needs its S3 settings and, with a cache, chunks.cache.dir");
        }
        if (threads < 1 || cacheBytes < 0 || frameCacheBytes < 0) {
            throw new IllegalArgumentException("chunks.threads must be at least 1, chunks.cache.bytes and "
                    + "chunks.frame-cache.bytes not negative; got " + threads + ", " + cacheBytes + " and " + frameCacheBytes);
        }
    }

    /** A local directory store. */
    public static ChunkStoreConfig local(Path directory) {
        return new ChunkStoreConfig(Kind.LOCAL, directory, 4, null, null, 0, DEFAULT_FRAME_CACHE_BYTES);
    }

    /** An S3 store with a local read cache of {@code cacheBytes} in {@code cacheDirectory} (0: no cache). */
    public static ChunkStoreConfig s3(S3ChunkStoreConfig s3, Path cacheDirectory, long cacheBytes) {
        return new ChunkStoreConfig(Kind.S3, null, s3.threads(), s3, cacheDirectory, cacheBytes, DEFAULT_FRAME_CACHE_BYTES);
    }

    /**
     * Reads the {@code chunks.*} properties (other keys are ignored); relative defaults live
     * under {@code dataDir}.
     *
     * @throws IllegalArgumentException naming the key, for an unknown {@code chunks.*} key, a
     *     bad value or a missing bucket
     */
    public static ChunkStoreConfig fromProperties(Map<String, String> properties, Path dataDir) {
        Set<String> unknown = new TreeSet<>();
        for (String key : properties.keySet()) {
            if (key.startsWith("chunks.") && !KEYS.contains(key)) {
                unknown.add(key);
            }
        }
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("unknown chunk store setting(s) " + unknown + "; known: " + new TreeSet<>(KEYS));
        }
        String kind = properties.getOrDefault("chunks.store", "local").trim().toLowerCase(Locale.ROOT);
        Path cacheDir = Path.of(properties.getOrDefault("chunks.cache.dir", dataDir.resolve("chunk-cache").toString()));
        long cacheBytes = parseBytes(properties, "chunks.cache.bytes", 1L << 30);
        long frameCacheBytes = parseBytes(properties, "chunks.frame-cache.bytes", DEFAULT_FRAME_CACHE_BYTES);
        switch (kind) {
            case "local":
                return new ChunkStoreConfig(Kind.LOCAL,
                        Path.of(properties.getOrDefault("chunks.dir", dataDir.resolve("chunks").toString())),
                        (int) parseLong(properties, "chunks.threads", 4), null, null, 0, frameCacheBytes);
            case "s3":
                String bucket = properties.get("chunks.s3.bucket");
                if (bucket == null || bucket.isBlank()) {
                    throw new IllegalArgumentException("chunks.store=s3 needs chunks.s3.bucket");
                }
                String endpointText = properties.get("chunks.s3.endpoint");
                URI endpoint;
                try {
                    endpoint = endpointText == null || endpointText.isBlank() ? null : URI.create(endpointText.trim());
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("chunks.s3.endpoint is not a URI: " + endpointText, e);
                }
                boolean pathStyle = Boolean.parseBoolean(properties.getOrDefault("chunks.s3.path-style",
                        String.valueOf(endpoint != null)));
                int threads = (int) parseLong(properties, "chunks.threads", 8);
                int attempts = (int) parseLong(properties, "chunks.s3.max-attempts", 8);
                S3ChunkStoreConfig s3 = new S3ChunkStoreConfig(endpoint, bucket.trim(),
                        properties.getOrDefault("chunks.s3.region", "us-east-1"), pathStyle,
                        properties.get("chunks.s3.access-key"), properties.get("chunks.s3.secret-key"),
                        properties.getOrDefault("chunks.s3.prefix", ""), threads, attempts, Duration.ofMillis(100),
                        Duration.ofSeconds(2), Duration.ofSeconds(30));
                return new ChunkStoreConfig(Kind.S3, null, s3.threads(), s3, cacheDir, cacheBytes, frameCacheBytes);
            default:
                throw new IllegalArgumentException("chunks.store must be 'local' or 's3', got '" + kind + "'");
        }
    }

    /**
     * Opens the configured store: a local directory, or an S3 store (behind its read cache when
     * one is configured) whose bucket is checked, and created when missing. Blocks.
     *
     * @throws ChunkStoreException if the directory or the bucket cannot be used
     */
    public ChunkStore open() {
        switch (kind) {
            case LOCAL:
                return LocalChunkStore.open(directory, threads);
            case S3:
                S3ChunkStore remote = S3ChunkStore.open(s3);
                // A node cannot serve without its manifests, which live in the bucket: check it
                // (creating it on a fresh S3-compatible server) at start, not at the first fold.
                try {
                    remote.createBucketIfMissing();
                } catch (RuntimeException e) {
                    remote.close();
                    throw e instanceof ChunkStoreException ? e : new ChunkStoreException("cannot reach bucket "
                            + s3.bucket() + " at " + (s3.endpoint() == null ? "AWS" : s3.endpoint()) + ": " + e, e);
                }
                return cacheBytes > 0 ? CachingChunkStore.open(remote, cacheDirectory, cacheBytes) : remote;
            default:
                throw new IllegalStateException("unhandled chunk store kind " + kind);
        }
    }

    /** A byte size: a whole number of bytes, or one with a binary suffix K, M, G or T. */
    private static long parseBytes(Map<String, String> properties, String key, long defaultValue) {
        String text = properties.get(key);
        if (text == null || text.isBlank()) {
            return defaultValue;
        }
        String trimmed = text.trim().toUpperCase(Locale.ROOT);
        int shift = switch (trimmed.charAt(trimmed.length() - 1)) {
            case 'K' -> 10;
            case 'M' -> 20;
            case 'G' -> 30;
            case 'T' -> 40;
            default -> 0;
        };
        String digits = shift == 0 ? trimmed : trimmed.substring(0, trimmed.length() - 1);
        long value;
        try {
            value = Long.parseLong(digits.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be a byte size such as 268435456 or 256M, got '" + text + "'", e);
        }
        if (value < 0 || value > (Long.MAX_VALUE >> shift)) {
            throw new IllegalArgumentException(key + " must be a byte size between 0 and 8E, got '" + text + "'");
        }
        return value << shift;
    }

    private static long parseLong(Map<String, String> properties, String key, long defaultValue) {
        String text = properties.get(key);
        if (text == null || text.isBlank()) {
            return defaultValue;
        }
        try {
            long v = Long.parseLong(text.trim());
            if (v < 0) {
                throw new IllegalArgumentException(key + " must not be negative, got " + text);
            }
            return v;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be a whole number, got '" + text + "'", e);
        }
    }
}
