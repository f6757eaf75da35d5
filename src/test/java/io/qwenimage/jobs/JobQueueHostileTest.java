package io.qwenimage.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 16, item 14a: a job whose deadline passes just as a worker starts it gave its admitted place back twice
 * (the deadline path read "queued", the worker started the job, then the deadline path timed the running job out
 * and released, and the job released again when it settled), so the queue admitted more than its limit.
 *
 * <p>The fix is one compare-and-set that both the deadline and the worker race for ({@link Job#dropWhileQueued} and
 * {@link Job#start}); the first test pins that a started job can no longer be dropped as queued, which is the
 * interleaving that drifted the count. The only worker is held by a blocking job, so the job under test stays
 * queued and this test plays both the deadline timer and the worker, in either order or at the same instant (a
 * barrier), checking the count after every round.
 */
class JobQueueHostileTest {

    private static final Duration LONG = Duration.ofMinutes(5);

    JobQueue queue;
    CountDownLatch releaseWorker;

    @BeforeEach
    void occupyTheOnlyWorker() throws Exception {
        queue = new JobQueue(new QueueSettings(1, 1, LONG));
        releaseWorker = new CountDownLatch(1);
        CountDownLatch started = new CountDownLatch(1);
        queue.submit((cancel, progress) -> {
            started.countDown();
            releaseWorker.await();
            return "blocker";
        }, LONG);
        assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(queue.inSystem()).isEqualTo(1);
    }

    @AfterEach
    void close() {
        releaseWorker.countDown();
        queue.close();
    }

    @Test
    void aJobTheWorkerStartedCanNoLongerBeDroppedAsQueued() {
        Job<String> job = queue.submit((cancel, progress) -> "done", LONG);
        assertThat(queue.begin(job)).isTrue();

        // what the deadline timer does after it has read "queued" and lost the race to the worker
        assertThat(job.dropWhileQueued(JobState.TIMED_OUT)).isFalse();

        assertThat(job.state()).isEqualTo(JobState.RUNNING);
        assertThat(queue.inSystem()).isEqualTo(2);
        queue.settle(job, "done", null);
        assertThat(queue.inSystem()).isEqualTo(1);
    }

    @Test
    void deadlineFiringAsTheJobStartsGivesItsPlaceBackExactlyOnce() throws Exception {
        CyclicBarrier together = new CyclicBarrier(2);
        for (int round = 0; round < 1000; round++) {
            Job<String> job = queue.submit((cancel, progress) -> "done", LONG);
            assertThat(queue.inSystem()).isEqualTo(2);
            AtomicBoolean started = new AtomicBoolean();
            Thread worker = new Thread(() -> {
                await(together);
                if (queue.begin(job)) {
                    started.set(true);
                    queue.settle(job, "done", null);
                }
            });
            worker.start();
            await(together);
            queue.expire(job);
            worker.join(10_000);

            assertThat(queue.inSystem()).as("places taken after round %d (started: %s, state %s)", round,
                    started.get(), job.state()).isEqualTo(1);
            assertThat(job.state()).isIn(JobState.SUCCEEDED, JobState.TIMED_OUT);
            assertThat(job.state() == JobState.SUCCEEDED).isEqualTo(started.get());
        }
    }

    @Test
    void deadlineAfterTheStartStopsTheJobInsteadOfDroppingIt() throws Exception {
        Job<String> job = queue.submit((cancel, progress) -> "done", LONG);
        assertThat(queue.begin(job)).isTrue();

        queue.expire(job);

        assertThat(job.state()).isEqualTo(JobState.RUNNING);
        assertThat(job.token().reason()).isEqualTo("deadline exceeded");
        assertThat(queue.inSystem()).isEqualTo(2);
        queue.settle(job, null, new io.qwenimage.engine.GenerationCancelledException("deadline exceeded"));
        assertThat(job.state()).isEqualTo(JobState.TIMED_OUT);
        assertThat(queue.inSystem()).isEqualTo(1);
    }

    @Test
    void deadlineBeforeTheStartDropsTheJobAndTheWorkerLeavesIt() throws Exception {
        Job<String> job = queue.submit((cancel, progress) -> "done", LONG);

        queue.expire(job);
        assertThat(queue.begin(job)).isFalse();

        assertThat(job.state()).isEqualTo(JobState.TIMED_OUT);
        assertThat(queue.inSystem()).isEqualTo(1);
        // the place is free again, and only that one: one more is admitted, the next is refused
        queue.submit((cancel, progress) -> "done", LONG);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> queue.submit((cancel, progress) -> "x", LONG))
                .isInstanceOf(QueueFullException.class);
    }

    private static void await(CyclicBarrier barrier) {
        try {
            barrier.await(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
