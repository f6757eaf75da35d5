/**
 * State shared by replicas through Redis when {@code qwen.jobs.store=redis}: asynchronous job records and cancel
 * requests ({@link io.qwenimage.store.RedisJobStore}), rate-limit buckets ({@link io.qwenimage.store.RedisBuckets})
 * and the result cache ({@link io.qwenimage.store.RedisResultCache}); {@link io.qwenimage.store.SharedState} picks
 * the in-memory or the Redis implementations from the configuration.
 */
package io.qwenimage.store;
