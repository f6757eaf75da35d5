package io.qwenimage.jobs;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * How many progress streams ({@code GET /jobs/{id}/events}) may be open at once for one job and for one caller:
 * each stream of a finished job holds a copy of its final document until the client has read it, so without
 * these caps a few hundred idle subscribers of one big result take gigabytes. Thread-safe.
 */
public final class SubscriberLimits {

    /** One open stream; closing it frees its place (once). */
    public interface Lease extends AutoCloseable {
        @Override
        void close();
    }

    /** Which cap refused a subscriber. */
    public enum Refusal { JOB, CALLER }

    /** What {@link #tryAcquire} decided: a lease, or the cap that refused. */
    public record Decision(Optional<Lease> lease, Refusal refusal) {
    }

    private final int perJob;
    private final int perCaller;
    private final Map<String, Integer> byJob = new HashMap<>();
    private final Map<String, Integer> byCaller = new HashMap<>();

    public SubscriberLimits(int perJob, int perCaller) {
        this.perJob = perJob;
        this.perCaller = perCaller;
    }

    /** A place for one more stream of {@code job} by {@code caller}, unless either cap is reached. */
    public synchronized Decision tryAcquire(String job, String caller) {
        if (byJob.getOrDefault(job, 0) >= perJob) {
            return new Decision(Optional.empty(), Refusal.JOB);
        }
        if (byCaller.getOrDefault(caller, 0) >= perCaller) {
            return new Decision(Optional.empty(), Refusal.CALLER);
        }
        byJob.merge(job, 1, Integer::sum);
        byCaller.merge(caller, 1, Integer::sum);
        boolean[] closed = {false};
        Lease lease = () -> release(job, caller, closed);
        return new Decision(Optional.of(lease), null);
    }

    private synchronized void release(String job, String caller, boolean[] closed) {
        if (closed[0]) {
            return;
        }
        closed[0] = true;
        byJob.computeIfPresent(job, (k, n) -> n <= 1 ? null : n - 1);
        byCaller.computeIfPresent(caller, (k, n) -> n <= 1 ? null : n - 1);
    }

    /** Streams open now. */
    public synchronized int open() {
        return byJob.values().stream().mapToInt(Integer::intValue).sum();
    }

    public int perJob() {
        return perJob;
    }

    public int perCaller() {
        return perCaller;
    }
}
