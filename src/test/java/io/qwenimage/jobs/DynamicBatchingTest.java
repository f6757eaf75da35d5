package io.qwenimage.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.qwenimage.engine.CancellationToken;
import io.qwenimage.engine.ProgressListener;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The queue's side of dynamic batching: which waiting jobs a worker takes together, and that each member of a
 * batch is answered on its own (value, cancellation, failure).
 */
class DynamicBatchingTest {

    JobQueue queue;
    final List<List<String>> batches = Collections.synchronizedList(new ArrayList<>());

    @AfterEach
    void close() {
        if (queue != null) {
            queue.close();
        }
    }

    /** A batchable task named {@code name}: its value is "name@batch-size"; runs 5 steps of 10 ms. */
    final class Named implements BatchableTask<String> {
        final String name;
        final String key;
        final int weight;

        Named(String name, String key, int weight) {
            this.name = name;
            this.key = key;
            this.weight = weight;
        }

        @Override
        public Object batchKey() {
            return key;
        }

        @Override
        public int batchWeight() {
            return weight;
        }

        @Override
        public String run(CancellationToken cancel, ProgressListener progress) throws Exception {
            batches.add(List.of(name));
            for (int i = 0; i < 5; i++) {
                cancel.throwIfCancelled();
                Thread.sleep(10);
                progress.onStep(i + 1, 5);
            }
            return name + "@1";
        }

        @Override
        public void runTogether(List<BatchMember<?>> members) throws Exception {
            List<String> names = new ArrayList<>();
            members.forEach(m -> names.add(((Named) m.task()).name));
            batches.add(names);
            boolean[] left = new boolean[members.size()];
            for (int i = 0; i < 5; i++) {
                for (int j = 0; j < members.size(); j++) {
                    if (!left[j] && members.get(j).cancel().isCancelled()) {
                        left[j] = true;
                        members.get(j).fail(new io.qwenimage.engine.GenerationCancelledException(
                                members.get(j).cancel().reason()));
                    }
                }
                Thread.sleep(10);
                for (int j = 0; j < members.size(); j++) {
                    members.get(j).progress().onStep(i + 1, 5);
                }
            }
            for (int j = 0; j < members.size(); j++) {
                Named task = (Named) members.get(j).task();
                if (task.name.startsWith("broken")) {
                    members.get(j).fail(new IllegalStateException("no picture"));
                } else {
                    ((BatchMember<String>) members.get(j)).succeed(task.name + "@" + members.size());
                }
            }
        }
    }

    /** Occupies the single worker until released, so that the jobs submitted meanwhile wait together. */
    Job<String> blocker(CountDownLatch release) {
        return queue.submit((cancel, progress) -> {
            release.await();
            return "blocker";
        }, Duration.ofSeconds(30));
    }

    static String value(Job<String> job) throws Exception {
        return job.result().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void compatibleWaitingJobsRunTogetherUpToTheBatchWeight() throws Exception {
        queue = new JobQueue(new QueueSettings(1, 16, Duration.ofSeconds(30), 4, Duration.ZERO));
        CountDownLatch release = new CountDownLatch(1);
        Job<String> blocker = blocker(release);
        Thread.sleep(50);
        List<Job<String>> jobs = new ArrayList<>();
        jobs.add(queue.submit(new Named("a", "64px", 1), Duration.ofSeconds(30)));
        jobs.add(queue.submit(new Named("b", "64px", 2), Duration.ofSeconds(30)));
        jobs.add(queue.submit(new Named("x", "512px", 1), Duration.ofSeconds(30)));
        jobs.add(queue.submit(new Named("c", "64px", 1), Duration.ofSeconds(30)));
        jobs.add(queue.submit(new Named("d", "64px", 1), Duration.ofSeconds(30)));
        jobs.add(queue.submit(new Named("alone", null, 1), Duration.ofSeconds(30)));
        release.countDown();
        assertThat(value(blocker)).isEqualTo("blocker");
        assertThat(value(jobs.get(0))).isEqualTo("a@3");
        assertThat(value(jobs.get(1))).isEqualTo("b@3");
        assertThat(value(jobs.get(3))).isEqualTo("c@3");
        assertThat(value(jobs.get(2))).isEqualTo("x@1");
        assertThat(value(jobs.get(4))).isEqualTo("d@1");
        assertThat(value(jobs.get(5))).isEqualTo("alone@1");
        // weight 1 + 2 + 1 = 4 fills the first batch; d waits for the next worker turn
        assertThat(batches).containsExactly(List.of("a", "b", "c"), List.of("x"), List.of("d"), List.of("alone"));
        assertThat(queue.batchesRun()).isEqualTo(1);
        assertThat(queue.jobsBatched()).isEqualTo(3);
        assertThat(queue.running()).isZero();
    }

    @Test
    void withBatchingOffEveryJobRunsAlone() throws Exception {
        queue = new JobQueue(new QueueSettings(1, 16, Duration.ofSeconds(30)));
        CountDownLatch release = new CountDownLatch(1);
        Job<String> blocker = blocker(release);
        Thread.sleep(50);
        Job<String> a = queue.submit(new Named("a", "64px", 1), Duration.ofSeconds(30));
        Job<String> b = queue.submit(new Named("b", "64px", 1), Duration.ofSeconds(30));
        release.countDown();
        value(blocker);
        assertThat(value(a)).isEqualTo("a@1");
        assertThat(value(b)).isEqualTo("b@1");
        assertThat(batches).containsExactly(List.of("a"), List.of("b"));
    }

    @Test
    void eachMemberIsAnsweredOnItsOwn() throws Exception {
        queue = new JobQueue(new QueueSettings(1, 16, Duration.ofSeconds(30), 8, Duration.ZERO));
        CountDownLatch release = new CountDownLatch(1);
        blocker(release);
        Thread.sleep(50);
        Job<String> fine = queue.submit(new Named("fine", "k", 1), Duration.ofSeconds(30));
        Job<String> broken = queue.submit(new Named("broken", "k", 1), Duration.ofSeconds(30));
        Job<String> cancelled = queue.submit(new Named("cancelled", "k", 1), Duration.ofSeconds(30));
        release.countDown();
        while (cancelled.state() != JobState.RUNNING) {
            Thread.sleep(1);
        }
        cancelled.cancel("changed my mind");
        assertThat(value(fine)).isEqualTo("fine@3");
        assertThat(JobQueueTest.failure(broken)).isInstanceOf(IllegalStateException.class).hasMessage("no picture");
        assertThat(JobQueueTest.failure(cancelled)).isInstanceOf(CancellationException.class).hasMessage("changed my mind");
        assertThat(broken.state()).isEqualTo(JobState.FAILED);
        assertThat(cancelled.state()).isEqualTo(JobState.CANCELLED);
        assertThat(queue.running()).isZero();
        assertThat(queue.queued()).isZero();
    }

    @Test
    void aLoneClientsJobDoesNotWaitForCompany() throws Exception {
        // a batch delay far longer than the job: had the worker waited for company, the job would take 30 s
        queue = new JobQueue(new QueueSettings(1, 16, Duration.ofSeconds(60), 8, Duration.ofSeconds(30)));
        for (int i = 0; i < 3; i++) {
            Job<String> job = queue.submit(new Named("solo" + i, "k", 1), Duration.ofSeconds(60));
            assertThat(job.result().toCompletableFuture().get(10, TimeUnit.SECONDS)).isEqualTo("solo" + i + "@1");
        }
    }
}
