package io.qwenimage.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.qwenimage.engine.CancellationToken;
import io.qwenimage.engine.ProgressListener;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** One queue shared by several models: a burst for one model does not starve another's jobs. */
class FairQueueTest {

    JobQueue queue;
    final List<String> order = new CopyOnWriteArrayList<>();
    final CountDownLatch gate = new CountDownLatch(1);

    @AfterEach
    void close() {
        if (queue != null) {
            queue.close();
        }
    }

    /** A job of model {@code lane}, recording its name when it runs; the first waits at the gate. */
    JobTask<String> job(String lane, String name, boolean waitAtGate, AtomicBoolean ready) {
        return new JobTask<>() {
            @Override
            public String run(CancellationToken cancel, ProgressListener progress) throws Exception {
                if (waitAtGate) {
                    gate.await(10, TimeUnit.SECONDS);
                }
                order.add(name);
                return name;
            }

            @Override
            public Object lane() {
                return lane;
            }

            @Override
            public boolean canStart() {
                return ready.get();
            }
        };
    }

    JobTask<String> job(String lane, String name) {
        return job(lane, name, false, new AtomicBoolean(true));
    }

    @Test
    void aJobForAnotherModelRunsNextAfterABurstForOneModel() throws Exception {
        queue = new JobQueue(new QueueSettings(1, 40, Duration.ofSeconds(30)));
        Job<String> blocker = queue.submit(job("a", "a0", true, new AtomicBoolean(true)), Duration.ofSeconds(20));
        awaitRunning(1);
        List<Job<String>> burst = new ArrayList<>();
        for (int i = 1; i <= 20; i++) {
            burst.add(queue.submit(job("a", "a" + i), Duration.ofSeconds(20)));
        }
        Job<String> other = queue.submit(job("b", "b1"), Duration.ofSeconds(20));
        Job<String> otherAgain = queue.submit(job("b", "b2"), Duration.ofSeconds(20));

        // the position each is shown is the order it will run in
        assertThat(queue.position(burst.get(0))).isEqualTo(1);
        assertThat(queue.position(other)).isEqualTo(2);
        assertThat(queue.position(burst.get(1))).isEqualTo(3);
        assertThat(queue.position(otherAgain)).isEqualTo(4);
        assertThat(queue.position(burst.get(19))).isEqualTo(22);

        gate.countDown();
        blocker.result().toCompletableFuture().get(10, TimeUnit.SECONDS);
        burst.get(19).result().toCompletableFuture().get(10, TimeUnit.SECONDS);
        otherAgain.result().toCompletableFuture().get(10, TimeUnit.SECONDS);
        other.result().toCompletableFuture().get(10, TimeUnit.SECONDS);
        // b1 waited behind one job of the burst, not behind all twenty; within a model the order is kept
        assertThat(order.subList(0, 5)).containsExactly("a0", "a1", "b1", "a2", "b2");
        assertThat(order.stream().filter(n -> n.startsWith("a")).toList())
                .containsExactly("a0", "a1", "a2", "a3", "a4", "a5", "a6", "a7", "a8", "a9", "a10", "a11", "a12",
                        "a13", "a14", "a15", "a16", "a17", "a18", "a19", "a20");
    }

    @Test
    void aModelThatIsLoadingDoesNotHoldUpTheOthersAndKeepsItsJobsInTheQueue() throws Exception {
        queue = new JobQueue(new QueueSettings(1, 10, Duration.ofMillis(300)));
        AtomicBoolean loaded = new AtomicBoolean(false);
        Job<String> waitsForLoad = queue.submit(job("slow", "slow1", false, loaded), Duration.ofSeconds(20));
        Job<String> alsoWaits = queue.submit(job("slow", "slow2", false, loaded), Duration.ofSeconds(20));
        Job<String> ready = queue.submit(job("fast", "fast1"), Duration.ofSeconds(20));
        ready.result().toCompletableFuture().get(5, TimeUnit.SECONDS);

        // still waiting, with its place, and past the queue timeout: waiting for a load is not queueing
        Thread.sleep(500);
        assertThat(waitsForLoad.state()).isEqualTo(JobState.QUEUED);
        assertThat(queue.position(waitsForLoad)).isEqualTo(1);
        assertThat(queue.position(alsoWaits)).isEqualTo(2);
        assertThat(queue.queued()).isEqualTo(2);

        loaded.set(true);
        queue.wake();
        assertThat(waitsForLoad.result().toCompletableFuture().get(5, TimeUnit.SECONDS)).isEqualTo("slow1");
        assertThat(alsoWaits.result().toCompletableFuture().get(5, TimeUnit.SECONDS)).isEqualTo("slow2");
        assertThat(order).containsExactly("fast1", "slow1", "slow2");
    }

    @Test
    void aJobWaitingForItsModelCanBeCancelledAndGivesItsPlaceBack() throws Exception {
        queue = new JobQueue(new QueueSettings(1, 1, Duration.ofSeconds(30)));
        Job<String> waits = queue.submit(job("slow", "slow1", false, new AtomicBoolean(false)), Duration.ofSeconds(20));
        waits.cancel("changed my mind");
        assertThat(waits.state()).isEqualTo(JobState.CANCELLED);
        assertThat(queue.queued()).isZero();
        assertThat(queue.awaitIdle(Duration.ofSeconds(2))).isTrue();
    }

    private void awaitRunning(int n) throws InterruptedException {
        long end = System.nanoTime() + 5_000_000_000L;
        while (queue.running() < n && System.nanoTime() < end) {
            Thread.sleep(5);
        }
        assertThat(queue.running()).isEqualTo(n);
    }
}
