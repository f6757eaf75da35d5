package io.qwenimage.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The caps on open progress streams, per job and per caller. */
class SubscriberLimitsTest {

    final SubscriberLimits limits = new SubscriberLimits(2, 3);

    @Test
    void refusesPastEitherCapAndAClosedLeaseFreesItsPlaceOnce() {
        var a = limits.tryAcquire("job-1", "alice").lease().orElseThrow();
        limits.tryAcquire("job-1", "bob").lease().orElseThrow();
        assertThat(limits.tryAcquire("job-1", "carol").refusal()).isEqualTo(SubscriberLimits.Refusal.JOB);

        limits.tryAcquire("job-2", "alice").lease().orElseThrow();
        limits.tryAcquire("job-3", "alice").lease().orElseThrow();
        assertThat(limits.tryAcquire("job-4", "alice").refusal()).isEqualTo(SubscriberLimits.Refusal.CALLER);

        a.close();
        a.close();
        assertThat(limits.open()).isEqualTo(3);
        assertThat(limits.tryAcquire("job-1", "carol").lease()).isPresent();
        assertThat(limits.tryAcquire("job-1", "dave").lease()).as("the second close freed nothing").isEmpty();
    }
}
