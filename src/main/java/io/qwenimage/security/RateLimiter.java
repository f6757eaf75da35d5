package io.qwenimage.security;

import io.github.bucket4j.Bucket;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.TimeMeter;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One Bucket4j token bucket per client (an API key id, or the client address when anonymous). Buckets that
 * have not been used for an hour are full again, so they are dropped: the map holds only recent clients.
 */
public final class RateLimiter {

    private static final long IDLE_NANOS = Duration.ofHours(1).toNanos();
    private static final int SWEEP_EVERY = 4096;

    private final RateLimitSettings settings;
    private final TimeMeter clock;
    private final ConcurrentHashMap<String, Entry> buckets = new ConcurrentHashMap<>();
    private final AtomicLong calls = new AtomicLong();

    private record Entry(Bucket bucket, AtomicLong lastUse) {
    }

    public RateLimiter(RateLimitSettings settings) {
        this(settings, TimeMeter.SYSTEM_NANOTIME);
    }

    /** With a given clock, so that tests can move time. */
    public RateLimiter(RateLimitSettings settings, TimeMeter clock) {
        this.settings = settings;
        this.clock = clock;
    }

    /** Takes one token from {@code client}'s bucket if there is one. */
    public RateLimitDecision tryAcquire(String client) {
        long now = clock.currentTimeNanos();
        Entry entry = buckets.computeIfAbsent(client, c -> new Entry(newBucket(), new AtomicLong(now)));
        entry.lastUse().set(now);
        ConsumptionProbe probe = entry.bucket().tryConsumeAndReturnRemaining(1);
        if (calls.incrementAndGet() % SWEEP_EVERY == 0) {
            sweep(now);
        }
        return decision(probe, settings);
    }

    /** The decision a bucket's answer means (also for buckets shared through Redis). */
    public static RateLimitDecision decision(ConsumptionProbe probe, RateLimitSettings settings) {
        long reset = seconds(probe.getNanosToWaitForReset());
        if (probe.isConsumed()) {
            return new RateLimitDecision(true, settings.perMinute(), probe.getRemainingTokens(), reset, 0);
        }
        return new RateLimitDecision(false, settings.perMinute(), 0, reset,
                Math.max(1, seconds(probe.getNanosToWaitForRefill())));
    }

    /** The two bands of a client's bucket: {@code burst} refilled at the per-minute rate, and the hourly cap. */
    public static BucketConfiguration configuration(RateLimitSettings settings) {
        return BucketConfiguration.builder()
                .addLimit(l -> l.capacity(settings.burst()).refillGreedy(settings.perMinute(), Duration.ofMinutes(1)))
                .addLimit(l -> l.capacity(settings.perHour()).refillGreedy(settings.perHour(), Duration.ofHours(1)))
                .build();
    }

    /** Clients with a bucket in memory. */
    public int clients() {
        return buckets.size();
    }

    private Bucket newBucket() {
        var builder = Bucket.builder();
        for (var bandwidth : configuration(settings).getBandwidths()) {
            builder.addLimit(bandwidth);
        }
        return builder.withCustomTimePrecision(clock).build();
    }

    void sweep(long now) {
        buckets.entrySet().removeIf(e -> now - e.getValue().lastUse().get() > IDLE_NANOS);
    }

    private static long seconds(long nanos) {
        return (nanos + 999_999_999L) / 1_000_000_000L;
    }
}
