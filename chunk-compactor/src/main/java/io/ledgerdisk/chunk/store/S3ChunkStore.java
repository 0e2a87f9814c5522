package io.ledgerdisk.chunk.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Chunks as objects in an S3 bucket (AWS or any S3-compatible server), one object per chunk
 * under {@code keyPrefix + id}.
 *
 * <p>Uses the AWS SDK v2 synchronous client over the JDK's {@code HttpURLConnection} (no netty,
 * no Apache HTTP client) on the store's own thread pool; callers get futures and are never
 * blocked. Reads are ranged GETs. 5xx answers, throttling (429/503) and I/O errors are retried
 * with exponential backoff ({@link S3ChunkStoreConfig#maxAttempts()}); the SDK's own retries
 * are off so that one policy decides. The SDK's request checksums are off too: chunk frames
 * carry their own CRC32C, and several S3-compatible servers reject the SDK's trailing
 * checksums.
 *
 * <p>Thread-safe.
 */
public final class S3ChunkStore implements ChunkStore {
    private final S3ChunkStoreConfig config;
    private final S3Client client;
    private final ExecutorService executor;
    private final RetryPolicy retry;

    private S3ChunkStore(S3ChunkStoreConfig config, S3Client client, ExecutorService executor) {
        this.config = config;
        this.client = client;
        this.executor = executor;
        this.retry = new RetryPolicy(config.maxAttempts(), config.initialBackoff(), config.maxBackoff(),
                S3ChunkStore::isTransient);
    }

    /** Opens a store; makes no request until the first operation. */
    public static S3ChunkStore open(S3ChunkStoreConfig config) {
        Objects.requireNonNull(config, "config");
        AwsCredentialsProvider credentials = config.accessKeyId() != null
                ? StaticCredentialsProvider.create(AwsBasicCredentials.create(config.accessKeyId(), config.secretAccessKey()))
                : DefaultCredentialsProvider.builder().build();
        S3ClientBuilder builder = S3Client.builder()
                .httpClientBuilder(UrlConnectionHttpClient.builder()
                        .connectionTimeout(config.timeout())
                        .socketTimeout(config.timeout()))
                .region(Region.of(config.region()))
                .credentialsProvider(credentials)
                .forcePathStyle(config.pathStyle())
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()));
        if (config.endpoint() != null) {
            builder.endpointOverride(config.endpoint());
        }
        AtomicInteger n = new AtomicInteger();
        ExecutorService executor = Executors.newFixedThreadPool(config.threads(), r -> {
            Thread t = new Thread(r, "chunk-store-s3-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        return new S3ChunkStore(config, builder.build(), executor);
    }

    /** Creates the bucket if it does not exist yet (for tests and the embedded mode); blocks. */
    public void createBucketIfMissing() {
        try {
            client.headBucket(b -> b.bucket(config.bucket()));
        } catch (NoSuchBucketException e) {
            client.createBucket(b -> b.bucket(config.bucket()));
        } catch (S3Exception e) {
            if (e.statusCode() != 404) {
                throw new ChunkStoreException("cannot check bucket " + config.bucket() + " at " + where() + ": " + e, e);
            }
            client.createBucket(b -> b.bucket(config.bucket()));
        }
    }

    @Override
    public CompletableFuture<Void> put(ChunkId id, byte[] bytes) {
        Objects.requireNonNull(bytes, "bytes");
        return call("put", id, () -> {
            client.putObject(b -> b.bucket(config.bucket()).key(key(id)).contentLength((long) bytes.length),
                    RequestBody.fromBytes(bytes));
            return null;
        });
    }

    @Override
    public CompletableFuture<Void> put(ChunkId id, Path file) {
        Objects.requireNonNull(file, "file");
        return call("put", id, () -> {
            client.putObject(b -> b.bucket(config.bucket()).key(key(id)), RequestBody.fromFile(file));
            return null;
        });
    }

    @Override
    public CompletableFuture<byte[]> getRange(ChunkId id, long offset, int length) {
        if (offset < 0 || length < 0) {
            return CompletableFuture.failedFuture(new IllegalArgumentException(
                    "bad range offset=" + offset + " length=" + length + " for chunk " + id));
        }
        if (length == 0) {
            return CompletableFuture.completedFuture(new byte[0]);
        }
        return call("read", id, () -> {
            ResponseBytes<GetObjectResponse> r = client.getObjectAsBytes(b -> b.bucket(config.bucket()).key(key(id))
                    .range("bytes=" + offset + "-" + (offset + length - 1)));
            byte[] bytes = r.asByteArrayUnsafe();
            if (bytes.length != length) {
                throw new ChunkStoreException("range [" + offset + ", " + (offset + length) + ") of chunk " + id
                        + " runs past its end in " + where() + " (got " + bytes.length + " bytes)");
            }
            return bytes;
        });
    }

    @Override
    public CompletableFuture<Long> size(ChunkId id) {
        return call("size", id, () -> {
            HeadObjectResponse r = client.headObject(b -> b.bucket(config.bucket()).key(key(id)));
            return r.contentLength();
        });
    }

    @Override
    public CompletableFuture<Void> delete(ChunkId id) {
        return call("delete", id, () -> {
            client.deleteObject(b -> b.bucket(config.bucket()).key(key(id)));
            return null;
        });
    }

    @Override
    public CompletableFuture<List<StoredChunk>> list() {
        return call("list", null, () -> {
            List<StoredChunk> out = new ArrayList<>();
            ListObjectsV2Request request = ListObjectsV2Request.builder().bucket(config.bucket())
                    .prefix(config.keyPrefix()).build();
            for (S3Object o : client.listObjectsV2Paginator(request).contents()) {
                String name = o.key().substring(config.keyPrefix().length());
                ChunkId id;
                try {
                    id = new ChunkId(name);
                } catch (IllegalArgumentException notOurs) {
                    continue;
                }
                Instant modified = o.lastModified() == null ? Instant.EPOCH : o.lastModified();
                out.add(new StoredChunk(id, o.size(), modified.toEpochMilli()));
            }
            return out;
        });
    }

    @Override
    public void close() {
        executor.shutdown();
        client.close();
    }

    @Override
    public String toString() {
        return "S3 chunk store " + where();
    }

    private String where() {
        return (config.endpoint() == null ? "s3://" : config.endpoint() + "/") + config.bucket() + "/" + config.keyPrefix();
    }

    private String key(ChunkId id) {
        return config.keyPrefix() + id.value();
    }

    /** 5xx, throttling and I/O failures are worth another attempt; 4xx answers are not. */
    static boolean isTransient(Throwable t) {
        if (t instanceof S3Exception e) {
            return e.statusCode() >= 500 || e.statusCode() == 429;
        }
        return t instanceof SdkClientException || t instanceof UncheckedIOException || t instanceof IOException;
    }

    private <T> CompletableFuture<T> call(String operation, ChunkId id, Supplier<T> request) {
        String what = operation + (id == null ? "" : " of chunk " + id) + " in " + where();
        return retry.run(what, () -> {
            try {
                return CompletableFuture.supplyAsync(request, executor);
            } catch (RejectedExecutionException e) {
                return CompletableFuture.failedFuture(new ChunkStoreException("S3 chunk store " + where() + " is closed", e));
            }
        }).exceptionallyCompose(error -> {
            Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null
                    ? error.getCause() : error;
            if (id != null && (cause instanceof NoSuchKeyException || (cause instanceof S3Exception s && s.statusCode() == 404))) {
                return CompletableFuture.failedFuture(new ChunkNotFoundException(id, where()));
            }
            if (cause instanceof ChunkStoreException || cause instanceof IllegalArgumentException) {
                return CompletableFuture.failedFuture(cause);
            }
            return CompletableFuture.failedFuture(new ChunkStoreException(what + " failed: " + cause, cause));
        });
    }
}
