package io.qwenimage.store;

import io.qwenimage.jobs.JobStoreUnavailableException;
import io.smallrye.mutiny.Uni;
import java.time.Duration;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * Every call to Redis goes through here: each gets a short time limit (a Redis that accepts connections and never
 * answers would otherwise hold a request forever: the client's own {@code quarkus.redis.timeout} covers only its
 * blocking API), and one {@link CircuitBreaker} shared by the job store, the rate-limit buckets and the result
 * cache refuses calls at once while Redis keeps failing. The callers then fall back at once: rate limits per
 * replica, the cache skipped, asynchronous routes 503 {@code JOB_STORE_UNAVAILABLE}.
 */
public final class RedisCalls {

    private final Duration timeout;
    private final CircuitBreaker breaker;

    public RedisCalls(Duration timeout, CircuitBreaker breaker) {
        this.timeout = timeout;
        this.breaker = breaker;
    }

    /** {@code command}, refused at once while the breaker is open and failed after the time limit. */
    public <T> Uni<T> call(Supplier<Uni<T>> command) {
        return Uni.createFrom().deferred(() -> {
            if (!breaker.tryAcquire()) {
                return Uni.createFrom().failure(new JobStoreUnavailableException("Redis is failing or too slow "
                        + "(circuit open; a probe goes out after the cool-down)", null));
            }
            return command.get()
                    .ifNoItem().after(timeout).failWith(() -> new TimeoutException("no answer from Redis within "
                            + timeout.toMillis() + " ms"))
                    .onItemOrFailure().invoke((item, failure) -> {
                        if (failure == null) {
                            breaker.onSuccess();
                        } else {
                            breaker.onFailure(String.valueOf(failure.getMessage()));
                        }
                    })
                    .onCancellation().invoke(breaker::onAbandoned)
                    .onFailure().transform(f -> f instanceof JobStoreUnavailableException ? f
                            : new JobStoreUnavailableException(String.valueOf(f.getMessage()), f));
        });
    }

    /** {@link #call}, waited for: worker threads only; returns or throws within the time limit. */
    public <T> T await(Supplier<Uni<T>> command) {
        return call(command).await().indefinitely();
    }

    /** False while the breaker is open (cheap, no round trip). */
    public boolean available() {
        return breaker.state() == CircuitBreaker.State.CLOSED;
    }
}
