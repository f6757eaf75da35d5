package io.qwenimage.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The single-instance job store: time to live, the byte cap on finished records, idempotency, cancel requests. */
class InMemoryJobStoreTest {

    final AtomicLong now = new AtomicLong();
    final InMemoryJobStore store = new InMemoryJobStore(1000, now::get);

    static JobRecord record(String id, String status, int documentChars) {
        return new JobRecord(id, "owner", "here", status, "x".repeat(2 * documentChars));     // 2 bytes a char, as before
    }

    @Test
    void recordsLiveUntilTheirTimeToLive() {
        store.save(record("a", "running", 10), Duration.ofSeconds(5));
        now.addAndGet(Duration.ofSeconds(4).toNanos());
        assertThat(store.find("a")).map(JobRecord::status).hasValue("running");
        store.save(record("a", "succeeded", 10), Duration.ofSeconds(5));
        now.addAndGet(Duration.ofSeconds(4).toNanos());
        assertThat(store.find("a")).as("the last save restarted the clock").map(JobRecord::status)
                .hasValue("succeeded");
        now.addAndGet(Duration.ofSeconds(2).toNanos());
        assertThat(store.find("a")).isEmpty();
    }

    @Test
    void pastTheByteCapTheOldestFinishedRecordsGoFirstAndLiveOnesStay() {
        store.save(record("live", "running", 400), Duration.ofMinutes(1));
        now.incrementAndGet();
        store.save(record("old", "succeeded", 200), Duration.ofMinutes(1));     // 400 bytes
        now.incrementAndGet();
        store.save(record("mid", "failed", 200), Duration.ofMinutes(1));        // 800
        now.incrementAndGet();
        store.save(record("new", "succeeded", 200), Duration.ofMinutes(1));     // 1200 > 1000
        assertThat(store.find("old")).isEmpty();
        assertThat(store.find("mid")).isPresent();
        assertThat(store.find("new")).isPresent();
        assertThat(store.find("live")).as("running jobs are never evicted for space").isPresent();
    }

    @Test
    void anIdempotencyKeyBindsOnceUntilItExpires() {
        assertThat(store.bindIdempotencyKey("alice", "k1", "job-1", Duration.ofSeconds(10))).isEmpty();
        assertThat(store.bindIdempotencyKey("alice", "k1", "job-2", Duration.ofSeconds(10))).hasValue("job-1");
        assertThat(store.bindIdempotencyKey("bob", "k1", "job-3", Duration.ofSeconds(10)))
                .as("keys are per owner").isEmpty();
        now.addAndGet(Duration.ofSeconds(11).toNanos());
        assertThat(store.bindIdempotencyKey("alice", "k1", "job-4", Duration.ofSeconds(10))).isEmpty();
    }

    @Test
    void cancelRequestsReachListenersAndAreRemembered() {
        List<String> heard = new ArrayList<>();
        store.onCancelRequest(heard::add);
        store.save(record("a", "running", 1), Duration.ofMinutes(1));
        store.requestCancel("a");
        assertThat(heard).containsExactly("a");
        assertThat(store.cancelRequested("a")).isTrue();
        assertThat(store.cancelRequested("b")).isFalse();
    }
}
