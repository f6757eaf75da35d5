package io.qwenimage.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.bucket4j.TimeMeter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RateLimiterTest {

    /** A clock the test moves by hand. */
    static final class ManualClock implements TimeMeter {
        final AtomicLong nanos = new AtomicLong(1_000_000_000L);

        @Override
        public long currentTimeNanos() {
            return nanos.get();
        }

        @Override
        public boolean isWallClockBased() {
            return false;
        }

        void advanceSeconds(double s) {
            nanos.addAndGet((long) (s * 1e9));
        }
    }

    @Test
    void twentyConcurrentRequestsWithBurstTwoAdmitExactlyTwo() throws Exception {
        ManualClock clock = new ManualClock();
        RateLimiter limiter = new RateLimiter(new RateLimitSettings(5, 100, 2), clock);
        ExecutorService pool = Executors.newFixedThreadPool(20);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<RateLimitDecision>> calls = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            calls.add(pool.submit(() -> {
                start.await();
                return limiter.tryAcquire("key-a");
            }));
        }
        start.countDown();
        int allowed = 0;
        for (Future<RateLimitDecision> f : calls) {
            RateLimitDecision d = f.get(10, TimeUnit.SECONDS);
            if (d.allowed()) {
                allowed++;
            } else {
                // 5 a minute: the next token comes within 12 s
                assertThat(d.retryAfterSeconds()).isBetween(1L, 12L);
                assertThat(d.remaining()).isZero();
            }
        }
        pool.shutdownNow();
        assertThat(allowed).isEqualTo(2);
        assertThat(limiter.tryAcquire("key-b").allowed()).as("another client has its own bucket").isTrue();
    }

    @Test
    void tokensComeBackAtTheConfiguredRate() {
        ManualClock clock = new ManualClock();
        RateLimiter limiter = new RateLimiter(new RateLimitSettings(6, 100, 1), clock);
        assertThat(limiter.tryAcquire("c").allowed()).isTrue();
        RateLimitDecision refused = limiter.tryAcquire("c");
        assertThat(refused.allowed()).isFalse();
        assertThat(refused.retryAfterSeconds()).isEqualTo(10);
        clock.advanceSeconds(9.9);
        assertThat(limiter.tryAcquire("c").allowed()).isFalse();
        clock.advanceSeconds(0.2);
        assertThat(limiter.tryAcquire("c").allowed()).isTrue();
    }

    @Test
    void theHourlyLimitHoldsEvenWhenTheMinuteRateWouldAllowMore() {
        ManualClock clock = new ManualClock();
        RateLimiter limiter = new RateLimiter(new RateLimitSettings(60, 3, 60), clock);
        int allowed = 0;
        for (int i = 0; i < 10; i++) {
            clock.advanceSeconds(2);
            if (limiter.tryAcquire("c").allowed()) {
                allowed++;
            }
        }
        assertThat(allowed).isEqualTo(3);
        RateLimitDecision d = limiter.tryAcquire("c");
        assertThat(d.retryAfterSeconds()).as("one token an hour / 3 = every 20 min").isGreaterThan(60);
        assertThat(d.limit()).isEqualTo(60);
    }

    @Test
    void idleClientsAreForgotten() {
        ManualClock clock = new ManualClock();
        RateLimiter limiter = new RateLimiter(new RateLimitSettings(5, 100, 2), clock);
        limiter.tryAcquire("old");
        clock.advanceSeconds(3601);
        limiter.tryAcquire("new");
        limiter.sweep(clock.currentTimeNanos());
        assertThat(limiter.clients()).isEqualTo(1);
    }
}
