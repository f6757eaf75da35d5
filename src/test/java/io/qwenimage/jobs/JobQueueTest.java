package io.qwenimage.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qwenimage.engine.CancellationToken;
import io.qwenimage.engine.ProgressListener;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class JobQueueTest {

    JobQueue queue;

    @AfterEach
    void close() {
        if (queue != null) {
            queue.close();
        }
    }

    /** A task of {@code steps} steps of {@code stepMillis}, checking its token before each, like the engine. */
    static JobTask<String> steps(int steps, long stepMillis) {
        return (CancellationToken cancel, ProgressListener progress) -> {
            for (int i = 0; i < steps; i++) {
                cancel.throwIfCancelled();
                Thread.sleep(stepMillis);
                progress.onStep(i + 1, steps);
            }
            return "done";
        };
    }

    static Throwable failure(Job<?> job) throws InterruptedException {
        try {
            job.result().toCompletableFuture().get(10, TimeUnit.SECONDS);
            return null;
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError("job did not finish", e);
        }
    }

    @Test
    void anAdmissionHoldsAPlaceUntilItsJobIsSubmittedOrItIsClosed() throws Exception {
        queue = new JobQueue(new QueueSettings(1, 1, Duration.ofSeconds(30)));
        Admission first = queue.admit();
        Admission second = queue.admit();
        assertThatThrownBy(queue::admit).isInstanceOf(QueueFullException.class);
        assertThatThrownBy(() -> queue.submit(steps(1, 1), Duration.ofSeconds(5)))
                .isInstanceOf(QueueFullException.class);
        second.close();
        second.close(); // given back once, however often closed
        Job<String> job = queue.submit(first, steps(1, 1), Duration.ofSeconds(5));
        assertThat(job.result().toCompletableFuture().get(5, TimeUnit.SECONDS)).isEqualTo("done");
        first.close(); // used: closing it gives nothing back twice
        assertThatThrownBy(() -> queue.submit(first, steps(1, 1), Duration.ofSeconds(5)))
                .isInstanceOf(IllegalStateException.class);
        assertThat(queue.awaitIdle(Duration.ofSeconds(5))).isTrue();
        // exactly the two places are free again: a third admission is refused
        Admission a = queue.admit();
        Admission b = queue.admit();
        assertThatThrownBy(queue::admit).isInstanceOf(QueueFullException.class);
        a.close();
        b.close();
    }

    @Test
    void drainingWaitsForAnAdmissionAndStillTakesItsJob() throws Exception {
        queue = new JobQueue(new QueueSettings(1, 1, Duration.ofSeconds(30)));
        Admission admission = queue.admit();
        queue.beginDrain();
        assertThatThrownBy(queue::admit).isInstanceOf(ShuttingDownException.class);
        assertThat(queue.awaitIdle(Duration.ofMillis(200))).as("idle while a place is held").isFalse();
        Job<String> job = queue.submit(admission, steps(1, 1), Duration.ofSeconds(5));
        assertThat(job.result().toCompletableFuture().get(5, TimeUnit.SECONDS)).isEqualTo("done");
        assertThat(queue.awaitIdle(Duration.ofSeconds(5))).isTrue();
    }

    @Test
    void admitsWorkersPlusCapacityAndRefusesTheRestAtOnce() throws Exception {
        queue = new JobQueue(new QueueSettings(1, 2, Duration.ofSeconds(30)));
        CountDownLatch release = new CountDownLatch(1);
        List<Job<String>> admitted = new ArrayList<>();
        int refused = 0;
        for (int i = 0; i < 10; i++) {
            try {
                admitted.add(queue.submit((c, p) -> {
                    release.await();
                    return "ok";
                }, Duration.ofSeconds(30)));
            } catch (QueueFullException e) {
                refused++;
                assertThat(e.retryAfterSeconds()).isPositive();
            }
        }
        assertThat(admitted).hasSize(3);
        assertThat(refused).isEqualTo(7);
        release.countDown();
        for (Job<String> j : admitted) {
            assertThat(j.result().toCompletableFuture().get(5, TimeUnit.SECONDS)).isEqualTo("ok");
        }
        assertThat(queue.awaitIdle(Duration.ofSeconds(5))).isTrue();
        // slots are free again
        assertThat(queue.submit((c, p) -> "again", Duration.ofSeconds(5)).result().toCompletableFuture()
                .get(5, TimeUnit.SECONDS)).isEqualTo("again");
    }

    @Test
    void aRunningJobPastItsDeadlineStopsAtTheNextStepAndFreesTheWorker() throws Exception {
        queue = new JobQueue(new QueueSettings(1, 4, Duration.ofSeconds(30)));
        long start = System.nanoTime();
        Job<String> slow = queue.submit(steps(100, 50), Duration.ofMillis(300));
        Job<String> next = queue.submit(steps(1, 1), Duration.ofSeconds(10));
        assertThat(failure(slow)).isInstanceOf(DeadlineExceededException.class);
        long stoppedAfter = (System.nanoTime() - start) / 1_000_000;
        assertThat(stoppedAfter).isBetween(300L, 1_500L);
        assertThat(slow.state()).isEqualTo(JobState.TIMED_OUT);
        assertThat(slow.step()).isLessThan(100);
        assertThat(next.result().toCompletableFuture().get(5, TimeUnit.SECONDS)).isEqualTo("done");
    }

    @Test
    void aQueuedJobPastItsDeadlineNeverRuns() throws Exception {
        queue = new JobQueue(new QueueSettings(1, 4, Duration.ofSeconds(30)));
        queue.submit(steps(10, 50), Duration.ofSeconds(10));
        Job<String> starved = queue.submit(steps(1, 1), Duration.ofMillis(100));
        assertThat(failure(starved)).isInstanceOf(DeadlineExceededException.class);
        assertThat(starved.step()).isZero();
    }

    @Test
    void aJobThatWaitedTooLongInTheQueueIsDropped() throws Exception {
        queue = new JobQueue(new QueueSettings(1, 4, Duration.ofMillis(100)));
        queue.submit(steps(6, 50), Duration.ofSeconds(10));
        Job<String> late = queue.submit(steps(1, 1), Duration.ofSeconds(10));
        assertThat(failure(late)).isInstanceOf(QueueTimeoutException.class).hasMessageContaining("limit is 100 ms");
    }

    @Test
    void cancellingAQueuedJobFreesItsSlotAndARunningOneStops() throws Exception {
        queue = new JobQueue(new QueueSettings(1, 1, Duration.ofSeconds(30)));
        Job<String> running = queue.submit(steps(200, 20), Duration.ofSeconds(30));
        Job<String> queued = queue.submit(steps(1, 1), Duration.ofSeconds(30));
        assertThatThrownBy(() -> queue.submit(steps(1, 1), Duration.ofSeconds(30)))
                .isInstanceOf(QueueFullException.class);
        queued.cancel("client went away");
        assertThat(failure(queued)).isInstanceOf(CancellationException.class);
        Job<String> another = queue.submit(steps(1, 1), Duration.ofSeconds(30));   // the slot is free
        while (running.step() < 2) {
            Thread.sleep(5);
        }
        running.cancel("client went away");
        assertThat(failure(running)).isInstanceOf(CancellationException.class);
        assertThat(running.state()).isEqualTo(JobState.CANCELLED);
        assertThat(another.result().toCompletableFuture().get(5, TimeUnit.SECONDS)).isEqualTo("done");
    }

    @Test
    void taskFailuresReachTheCaller() throws Exception {
        queue = new JobQueue(new QueueSettings(1, 1, Duration.ofSeconds(30)));
        Job<String> bad = queue.submit((c, p) -> {
            throw new IllegalArgumentException("no vae_encoder");
        }, Duration.ofSeconds(5));
        assertThat(failure(bad)).isInstanceOf(IllegalArgumentException.class).hasMessage("no vae_encoder");
        assertThat(bad.state()).isEqualTo(JobState.FAILED);
    }

    @Test
    void drainingRefusesNewJobsAndLetsAdmittedOnesFinish() throws Exception {
        queue = new JobQueue(new QueueSettings(1, 2, Duration.ofSeconds(30)));
        Job<String> a = queue.submit(steps(4, 50), Duration.ofSeconds(30));
        Job<String> b = queue.submit(steps(4, 50), Duration.ofSeconds(30));
        queue.beginDrain();
        assertThatThrownBy(() -> queue.submit(steps(1, 1), Duration.ofSeconds(30)))
                .isInstanceOf(ShuttingDownException.class);
        assertThat(queue.awaitIdle(Duration.ofSeconds(10))).isTrue();
        assertThat(a.result().toCompletableFuture().join()).isEqualTo("done");
        assertThat(b.result().toCompletableFuture().join()).isEqualTo("done");
    }

    @Test
    void aStepThatNeverEndsShowsInTheWatchdog() throws Exception {
        queue = new JobQueue(new QueueSettings(1, 1, Duration.ofSeconds(30)));
        CountDownLatch stuck = new CountDownLatch(1);
        Job<String> job = queue.submit((c, p) -> {
            p.onStep(1, 10);
            stuck.await();
            return "x";
        }, Duration.ofSeconds(30));
        Thread.sleep(300);
        assertThat(queue.longestStepInFlight()).isGreaterThanOrEqualTo(Duration.ofMillis(250));
        stuck.countDown();
        job.result().toCompletableFuture().get(5, TimeUnit.SECONDS);
        assertThat(queue.longestStepInFlight()).isEqualTo(Duration.ZERO);
    }

    @Test
    void closeReturnsOnlyOnceNoWorkerIsInsideAJob() throws Exception {
        queue = new JobQueue(new QueueSettings(1, 1, Duration.ofSeconds(30)));
        java.util.concurrent.atomic.AtomicBoolean inside = new java.util.concurrent.atomic.AtomicBoolean();
        queue.submit((cancel, progress) -> {
            inside.set(true);
            try {
                for (int i = 0; i < 500; i++) {
                    cancel.throwIfCancelled();
                    Thread.sleep(20);
                }
                return "";
            } finally {
                inside.set(false);
            }
        }, Duration.ofSeconds(30));
        while (!inside.get()) {
            Thread.sleep(5);
        }
        queue.close();
        // the model may be closed now: nothing is using it
        assertThat(inside.get()).isFalse();
    }

    @Test
    void concurrentSubmittersNeverOverfill() throws Exception {
        queue = new JobQueue(new QueueSettings(2, 3, Duration.ofSeconds(30)));
        CountDownLatch hold = new CountDownLatch(1);
        java.util.concurrent.atomic.AtomicInteger ok = new java.util.concurrent.atomic.AtomicInteger();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < 32; i++) {
            threads.add(new Thread(() -> {
                try {
                    queue.submit((c, p) -> {
                        hold.await();
                        return "";
                    }, Duration.ofSeconds(30));
                    ok.incrementAndGet();
                } catch (QueueFullException e) {
                    // expected for all but five
                }
            }));
        }
        threads.forEach(Thread::start);
        for (Thread t : threads) {
            t.join();
        }
        assertThat(ok.get()).isEqualTo(5);
        hold.countDown();
        assertThat(queue.awaitIdle(Duration.ofSeconds(5))).isTrue();
    }
}
