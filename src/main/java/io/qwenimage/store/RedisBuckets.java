package io.qwenimage.store;

import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.distributed.proxy.ClientSideConfig;
import io.github.bucket4j.distributed.proxy.generic.compare_and_swap.AbstractCompareAndSwapBasedProxyManager;
import io.github.bucket4j.distributed.proxy.generic.compare_and_swap.AsyncCompareAndSwapOperation;
import io.github.bucket4j.distributed.proxy.generic.compare_and_swap.CompareAndSwapOperation;
import io.github.bucket4j.distributed.remote.RemoteBucketState;
import io.qwenimage.security.SharedBuckets;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Bucket4j token buckets kept in Redis, so that a key's rate limit holds across replicas: Bucket4j's
 * compare-and-swap proxy manager over one Redis string per bucket ({@code qwen:bucket:<client>}, the bucket state
 * in base64), swapped by a Lua script that writes only if the value is still the one read. Non-blocking: the
 * rate-limit filter runs on the event loop. Buckets expire once they would be full again. Every call goes through
 * {@link RedisCalls}: a silent Redis fails it within the short time limit, an open breaker at once, and the filter
 * then limits per replica.
 */
public final class RedisBuckets extends AbstractCompareAndSwapBasedProxyManager<String> implements SharedBuckets {

    private static final String SWAP = "local current = redis.call('get', KEYS[1]) "
            + "if (ARGV[1] == '' and current == false) or current == ARGV[1] then "
            + "if tonumber(ARGV[3]) > 0 then redis.call('set', KEYS[1], ARGV[2], 'PX', ARGV[3]) "
            + "else redis.call('set', KEYS[1], ARGV[2]) end return 1 end return 0";

    private final ReactiveRedisDataSource redis;
    private final RedisCalls calls;

    public RedisBuckets(ReactiveRedisDataSource redis, RedisCalls calls) {
        super(ClientSideConfig.getDefault().withRequestTimeout(Duration.ofSeconds(2))
                .withExpirationAfterWriteStrategy(
                        ExpirationAfterWriteStrategy.basedOnTimeForRefillingBucketUpToMax(Duration.ofSeconds(10))));
        this.redis = redis;
        this.calls = calls;
    }

    @Override
    public CompletionStage<ConsumptionProbe> tryConsume(String client, BucketConfiguration configuration) {
        return asAsync().builder().build("qwen:bucket:" + client,
                        () -> CompletableFuture.completedFuture(configuration))
                .tryConsumeAndReturnRemaining(1);
    }

    @Override
    protected CompareAndSwapOperation beginCompareAndSwapOperation(String key) {
        AsyncCompareAndSwapOperation async = beginAsyncCompareAndSwapOperation(key);
        return new CompareAndSwapOperation() {
            @Override
            public Optional<byte[]> getStateData(Optional<Long> timeoutNanos) {
                return async.getStateData(timeoutNanos).join();
            }

            @Override
            public boolean compareAndSwap(byte[] original, byte[] updated, RemoteBucketState state,
                                          Optional<Long> timeoutNanos) {
                return async.compareAndSwap(original, updated, state, timeoutNanos).join();
            }
        };
    }

    @Override
    protected AsyncCompareAndSwapOperation beginAsyncCompareAndSwapOperation(String key) {
        return new AsyncCompareAndSwapOperation() {
            @Override
            public CompletableFuture<Optional<byte[]>> getStateData(Optional<Long> timeoutNanos) {
                return calls.call(() -> redis.value(String.class).get(key))
                        .map(v -> Optional.ofNullable(v).map(s -> Base64.getDecoder().decode(s)))
                        .subscribeAsCompletionStage();
            }

            @Override
            public CompletableFuture<Boolean> compareAndSwap(byte[] original, byte[] updated,
                                                             RemoteBucketState state, Optional<Long> timeoutNanos) {
                long ttl = getClientSideConfig().getExpirationAfterWriteStrategy()
                        .map(s -> s.calculateTimeToLiveMillis(state, currentTimeNanos())).orElse(0L);
                String before = original == null ? "" : Base64.getEncoder().encodeToString(original);
                String after = Base64.getEncoder().encodeToString(updated);
                return calls.call(() -> redis.execute("EVAL", SWAP, "1", key, before, after,
                                Long.toString(Math.max(0, ttl))))
                        .map(r -> r != null && r.toInteger() == 1)
                        .subscribeAsCompletionStage();
            }
        };
    }

    @Override
    public void removeProxy(String key) {
        calls.await(() -> redis.key().del(key));
    }

    @Override
    protected CompletableFuture<Void> removeAsync(String key) {
        return calls.call(() -> redis.key().del(key)).replaceWithVoid().subscribeAsCompletionStage();
    }

    @Override
    public boolean isAsyncModeSupported() {
        return true;
    }

    /** Buckets are written with a PX time to live (see the swap script). */
    @Override
    public boolean isExpireAfterWriteSupported() {
        return true;
    }
}
