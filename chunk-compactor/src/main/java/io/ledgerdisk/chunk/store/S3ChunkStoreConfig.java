package io.ledgerdisk.chunk.store;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;

/**
 * Where and how {@link S3ChunkStore} talks to S3 (or an S3-compatible server); validated on
 * construction.
 *
 * @param endpoint the service endpoint, or null for AWS's regional endpoint
 * @param bucket the bucket that holds the chunks (must exist)
 * @param region the signing region, e.g. {@code us-east-1}
 * @param pathStyle address the bucket as {@code endpoint/bucket} (needed by most
 *     S3-compatible servers) instead of {@code bucket.endpoint}
 * @param accessKeyId access key, or null to use the SDK's default chain (environment
 *     {@code AWS_ACCESS_KEY_ID}/{@code AWS_SECRET_ACCESS_KEY}, profile, instance role)
 * @param secretAccessKey secret key, or null with {@code accessKeyId}
 * @param keyPrefix prefix of every object key (e.g. {@code pool1/}); may be empty
 * @param threads concurrent requests
 * @param maxAttempts attempts per operation before giving up on 5xx and I/O errors (at least 1)
 * @param initialBackoff wait after the first failure; doubled after each further one
 * @param maxBackoff longest wait between attempts
 * @param timeout connect and read timeout of one request
 */
public record S3ChunkStoreConfig(URI endpoint, String bucket, String region, boolean pathStyle, String accessKeyId,
        String secretAccessKey, String keyPrefix, int threads, int maxAttempts, Duration initialBackoff,
        Duration maxBackoff, Duration timeout) {

    public S3ChunkStoreConfig {
        Objects.requireNonNull(bucket, "bucket");
        Objects.requireNonNull(region, "region");
        Objects.requireNonNull(keyPrefix, "keyPrefix");
        Objects.requireNonNull(initialBackoff, "initialBackoff");
        Objects.requireNonNull(maxBackoff, "maxBackoff");
        Objects.requireNonNull(timeout, "timeout");
        if (bucket.isBlank()) {
            throw new IllegalArgumentException("S3 bucket must be set");
        }
        if ((accessKeyId == null) != (secretAccessKey == null)) {
            throw new IllegalArgumentException("set both S3 access key id and secret access key, or neither"
                    + " (then the environment's AWS credentials are used)");
        }
        if (threads < 1 || maxAttempts < 1) {
            throw new IllegalArgumentException("S3 threads and maxAttempts must be at least 1, got " + threads + " and "
                    + maxAttempts);
        }
        if (initialBackoff.isNegative() || maxBackoff.compareTo(initialBackoff) < 0 || timeout.isNegative()
                || timeout.isZero()) {
            throw new IllegalArgumentException("S3 backoff must satisfy 0 <= initial <= max and the timeout must be"
                    + " positive; got initial " + initialBackoff + ", max " + maxBackoff + ", timeout " + timeout);
        }
    }

    /**
     * Settings for an S3-compatible server at {@code endpoint} with static credentials, path-style
     * addressing and the default retry policy (8 attempts, 100 ms doubling to 2 s).
     */
    public static S3ChunkStoreConfig of(URI endpoint, String bucket, String accessKeyId, String secretAccessKey) {
        return new S3ChunkStoreConfig(endpoint, bucket, "us-east-1", true, accessKeyId, secretAccessKey, "", 8, 8,
                Duration.ofMillis(100), Duration.ofSeconds(2), Duration.ofSeconds(30));
    }

    /** These settings with another retry policy. */
    public S3ChunkStoreConfig withRetries(int attempts, Duration initial, Duration max) {
        return new S3ChunkStoreConfig(endpoint, bucket, region, pathStyle, accessKeyId, secretAccessKey, keyPrefix, threads,
                attempts, initial, max, timeout);
    }

    /** These settings with another request timeout. */
    public S3ChunkStoreConfig withTimeout(Duration requestTimeout) {
        return new S3ChunkStoreConfig(endpoint, bucket, region, pathStyle, accessKeyId, secretAccessKey, keyPrefix, threads,
                maxAttempts, initialBackoff, maxBackoff, requestTimeout);
    }

    @Override
    public String toString() {
        // Never print the secret.
        return "S3ChunkStoreConfig{endpoint=" + endpoint + ", bucket=" + bucket + ", region=" + region + ", pathStyle="
                + pathStyle + ", keyPrefix=" + keyPrefix + ", credentials=" + (accessKeyId == null ? "environment" : "static")
                + ", threads=" + threads + ", maxAttempts=" + maxAttempts + "}";
    }
}
