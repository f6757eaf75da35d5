package io.qwenimage.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The breaker in front of Redis, on a fake clock. */
class CircuitBreakerTest {

    final AtomicLong now = new AtomicLong(1_000);
    final List<String> announced = new ArrayList<>();
    final CircuitBreaker breaker = new CircuitBreaker(3, Duration.ofSeconds(5), now::get,
            new CircuitBreaker.Listener() {
                @Override
                public void opened(String why) {
                    announced.add("opened: " + why);
                }

                @Override
                public void closed() {
                    announced.add("closed");
                }
            });

    void fail(int times) {
        for (int i = 0; i < times; i++) {
            assertThat(breaker.tryAcquire()).isTrue();
            breaker.onFailure("timeout " + i);
        }
    }

    @Test
    void opensAfterTheGivenNumberOfConsecutiveFailuresAndThenRefusesWithoutCalling() {
        fail(2);
        assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.CLOSED);
        fail(1);

        assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.OPEN);
        assertThat(breaker.tryAcquire()).isFalse();
        now.addAndGet(Duration.ofMillis(4_999).toNanos());
        assertThat(breaker.tryAcquire()).isFalse();
        assertThat(announced).containsExactly("opened: timeout 0");
    }

    @Test
    void aSuccessInBetweenStartsTheCountAgain() {
        fail(2);
        breaker.onSuccess();
        fail(2);

        assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.CLOSED);
        assertThat(announced).isEmpty();
    }

    @Test
    void afterTheCoolDownExactlyOneProbeGoesOutAndItsSuccessCloses() {
        fail(3);
        now.addAndGet(Duration.ofSeconds(5).toNanos());

        assertThat(breaker.tryAcquire()).as("the probe").isTrue();
        assertThat(breaker.tryAcquire()).as("a second caller while the probe is out").isFalse();
        assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.HALF_OPEN);
        breaker.onSuccess();

        assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.CLOSED);
        assertThat(breaker.tryAcquire()).isTrue();
        assertThat(announced).containsExactly("opened: timeout 2", "closed");
    }

    @Test
    void aFailedProbeOpensForAnotherCoolDownWithoutAnnouncingAgain() {
        fail(3);
        now.addAndGet(Duration.ofSeconds(5).toNanos());
        assertThat(breaker.tryAcquire()).isTrue();
        breaker.onFailure("still silent");

        assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.OPEN);
        now.addAndGet(Duration.ofSeconds(4).toNanos());
        assertThat(breaker.tryAcquire()).isFalse();
        now.addAndGet(Duration.ofSeconds(1).toNanos());
        assertThat(breaker.tryAcquire()).isTrue();
        assertThat(announced).containsExactly("opened: timeout 2");
    }

    @Test
    void anAbandonedProbeLetsTheNextCallerProbe() {
        fail(3);
        now.addAndGet(Duration.ofSeconds(5).toNanos());
        assertThat(breaker.tryAcquire()).isTrue();
        breaker.onAbandoned();

        assertThat(breaker.tryAcquire()).isTrue();
    }

    @Test
    void lateFailuresOfCallsThatWentOutBeforeItOpenedAreNotAnnouncedTwice() {
        fail(3);
        breaker.onFailure("late");
        breaker.onFailure("later");

        assertThat(announced).hasSize(1);
    }
}
