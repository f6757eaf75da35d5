package io.qwenimage.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Issue 16, item 12: finished results were one global pool, so one caller submitting many jobs evicted everyone
 * else's results; and an evicted job answered 404 like an id that never existed. Each owner now has a share, and a
 * dropped job is remembered (per owner, bounded) so that it answers 410.
 */
class OwnerShareHostileTest {

    final AtomicLong now = new AtomicLong();
    // 400 bytes a record below: the share holds one, the global cap ten
    final InMemoryJobStore store = new InMemoryJobStore(4_000, 500, now::get);

    JobRecord finished(String id, String owner) {
        now.incrementAndGet();
        return new JobRecord(id, owner, "here", "succeeded", "x".repeat(400));
    }

    @Test
    void oneCallerFillingItsShareEvictsOnlyItsOwnResults() {
        store.save(finished("b-1", "bob"), Duration.ofMinutes(10));
        List<String> alices = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            alices.add("a-" + i);
            store.save(finished("a-" + i, "alice"), Duration.ofMinutes(10));
        }

        assertThat(store.find("b-1")).as("another caller's result").isPresent();
        assertThat(store.find("a-49")).as("the newest of the caller's own").isPresent();
        assertThat(store.find("a-0")).isEmpty();
    }

    @Test
    void anEvictedJobIsExpiredForItsOwnerAndUnknownForEveryoneElse() {
        store.save(finished("a-1", "alice"), Duration.ofMinutes(10));
        store.save(finished("a-2", "alice"), Duration.ofMinutes(10));

        assertThat(store.find("a-1")).isEmpty();
        assertThat(store.expired("alice", "a-1")).isTrue();
        assertThat(store.expired("bob", "a-1")).as("nothing leaks to another caller").isFalse();
        assertThat(store.expired("alice", "never-existed")).isFalse();
        assertThat(store.expired("alice", "a-2")).as("still kept").isFalse();
    }

    @Test
    void aJobPastItsTimeToLiveIsExpiredToo() {
        store.save(finished("a-1", "alice"), Duration.ofSeconds(5));
        now.addAndGet(Duration.ofSeconds(6).toNanos());
        assertThat(store.expired("alice", "a-1")).as("expired, not swept yet").isTrue();

        store.save(finished("b-1", "bob"), Duration.ofMinutes(1));     // sweeps
        assertThat(store.expired("alice", "a-1")).as("swept into the tombstones").isTrue();
    }

    @Test
    void theGlobalCapStillHoldsAcrossOwners() {
        for (int i = 0; i < 20; i++) {
            store.save(finished("o-" + i, "owner-" + i), Duration.ofMinutes(10));
        }
        long kept = java.util.stream.IntStream.range(0, 20).filter(i -> store.find("o-" + i).isPresent()).count();
        assertThat(kept).isEqualTo(10);
        assertThat(store.expired("owner-0", "o-0")).isTrue();
    }

    @Test
    void tombstonesAreBoundedPerOwnerAndInOwners() {
        Tombstones t = new Tombstones(2, 2);
        t.bury("alice", "1");
        t.bury("alice", "2");
        t.bury("alice", "3");
        assertThat(t.buried("alice", "1")).as("past the per-owner bound").isFalse();
        assertThat(t.buried("alice", "3")).isTrue();
        t.bury("bob", "b");
        t.bury("carol", "c");
        assertThat(t.buried("alice", "3")).as("alice is the owner least recently touched").isFalse();
        assertThat(t.buried("carol", "c")).isTrue();
    }
}
