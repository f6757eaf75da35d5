package io.qwenimage.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A drain that outlasts the shutdown timeout: the jobs left, running or still queued, are answered with
 * {@link ShuttingDownException} (a 503 with Retry-After that clients retry), never as a cancellation (499) that
 * nobody asked for.
 */
class DrainTimeoutTest {

    @Test
    void jobsLeftWhenTheQueueClosesAreAnsweredAsShuttingDownNotCancelled() throws Exception {
        JobQueue queue = new JobQueue(new QueueSettings(1, 4, Duration.ofSeconds(30)));
        CountDownLatch started = new CountDownLatch(1);
        Job<String> running = queue.submit(JobQueueTest.steps(10_000, 5), Duration.ofSeconds(60));
        Job<String> marker = queue.submit((c, p) -> {
            started.countDown();
            return "never";
        }, Duration.ofSeconds(60));
        Job<String> queued = queue.submit(JobQueueTest.steps(1, 1), Duration.ofSeconds(60));
        while (running.state() != JobState.RUNNING) {
            Thread.sleep(5);
        }
        queue.beginDrain();
        assertThat(queue.awaitIdle(Duration.ofMillis(100))).as("the drain outlasts its timeout").isFalse();

        queue.close();

        for (Job<String> job : new Job[] {running, marker, queued}) {
            assertThat(JobQueueTest.failure(job)).isInstanceOf(ShuttingDownException.class)
                    .hasMessageContaining("retry");
        }
        assertThat(started.await(0, TimeUnit.MILLISECONDS)).as("no queued job started after close").isFalse();
        assertThat(queue.running()).isZero();
        assertThat(queue.queued()).isZero();
    }
}
