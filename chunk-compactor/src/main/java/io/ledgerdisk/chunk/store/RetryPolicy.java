package io.ledgerdisk.chunk.store;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs an operation again after transient failures, waiting with exponential backoff and
 * jitter between attempts; never blocks a thread while waiting.
 *
 * <p>Thread-safe (immutable).
 */
final class RetryPolicy {
    private static final Logger LOG = LoggerFactory.getLogger(RetryPolicy.class);

    private final int maxAttempts;
    private final long initialMillis;
    private final long maxMillis;
    private final Predicate<Throwable> retryable;

    RetryPolicy(int maxAttempts, Duration initial, Duration max, Predicate<Throwable> retryable) {
        this.maxAttempts = maxAttempts;
        this.initialMillis = initial.toMillis();
        this.maxMillis = max.toMillis();
        this.retryable = retryable;
    }

    /** Runs {@code attempt} (which starts the work and returns its future) until it succeeds or gives up. */
    <T> CompletableFuture<T> run(String what, Supplier<CompletableFuture<T>> attempt) {
        CompletableFuture<T> result = new CompletableFuture<>();
        attempt(what, attempt, 1, result);
        return result;
    }

    private <T> void attempt(String what, Supplier<CompletableFuture<T>> attempt, int n, CompletableFuture<T> result) {
        CompletableFuture<T> f;
        try {
            f = attempt.get();
        } catch (RuntimeException e) {
            f = CompletableFuture.failedFuture(e);
        }
        f.whenComplete((value, error) -> {
            if (error == null) {
                result.complete(value);
                return;
            }
            Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
            if (n >= maxAttempts || !retryable.test(cause)) {
                result.completeExceptionally(cause);
                return;
            }
            long backoff = Math.min(maxMillis, initialMillis << Math.min(20, n - 1));
            long delay = backoff / 2 + ThreadLocalRandom.current().nextLong(backoff / 2 + 1);
            LOG.warn("{} failed (attempt {} of {}), retrying in {} ms: {}", what, n, maxAttempts, delay, cause.toString());
            Executor later = CompletableFuture.delayedExecutor(delay, TimeUnit.MILLISECONDS);
            later.execute(() -> attempt(what, attempt, n + 1, result));
        });
    }
}
