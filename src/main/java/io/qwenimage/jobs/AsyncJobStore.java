package io.qwenimage.jobs;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;

/**
 * Jobs submitted for later collection: each belongs to one owner (an API key id or client address) and is seen by
 * that owner only; finished ones keep their result or error for a time to live, and the oldest finished ones go
 * first when the results together pass a memory cap. A repeated submit with the same idempotency key returns the
 * job it made the first time.
 *
 * @param <R> what a finished job yields
 */
public final class AsyncJobStore<R> {

    /** One stored job. */
    public static final class Entry<R> {
        private final String id;
        private final String owner;
        private final Instant created = Instant.now();
        private final Job<R> job;
        private volatile R result;
        private volatile Throwable failure;
        private volatile long bytes;
        private volatile long finishedNanos;

        Entry(String id, String owner, Job<R> job) {
            this.id = id;
            this.owner = owner;
            this.job = job;
        }

        public String id() {
            return id;
        }

        public String owner() {
            return owner;
        }

        public Instant created() {
            return created;
        }

        public Job<R> job() {
            return job;
        }

        /** The value of a job that succeeded, else null. */
        public R result() {
            return result;
        }

        /** Why a job failed or was cancelled, else null. */
        public Throwable failure() {
            return failure;
        }

        public boolean finished() {
            return finishedNanos != 0;
        }
    }

    /** What {@link #submit} did. */
    public record Submitted<R>(Entry<R> entry, boolean repeated) {
    }

    private final Duration ttl;
    private final long maxResultBytes;
    private final LongSupplier clock;
    private final Map<String, Entry<R>> entries = new ConcurrentHashMap<>();
    private final Map<String, String> idempotency = new ConcurrentHashMap<>();

    public AsyncJobStore(Duration ttl, long maxResultBytes) {
        this(ttl, maxResultBytes, System::nanoTime);
    }

    /** With a given clock (nanoseconds), so that tests can move time. */
    public AsyncJobStore(Duration ttl, long maxResultBytes, LongSupplier clock) {
        this.ttl = ttl;
        this.maxResultBytes = maxResultBytes;
        this.clock = clock;
    }

    /**
     * Submits through {@code submit} (which may throw, e.g. when the queue is full: nothing is stored then), or
     * returns the owner's job of the same idempotency key.
     */
    public synchronized Submitted<R> submit(String owner, String idempotencyKey, Supplier<Job<R>> submit,
                                            ToLongFunction<R> size) {
        evict();
        String key = idempotencyKey == null || idempotencyKey.isBlank() ? null : owner + "\n" + idempotencyKey;
        if (key != null) {
            Entry<R> earlier = Optional.ofNullable(idempotency.get(key)).map(entries::get).orElse(null);
            if (earlier != null) {
                return new Submitted<>(earlier, true);
            }
        }
        Job<R> job = submit.get();
        Entry<R> entry = new Entry<>(job.id(), owner, job);
        entries.put(entry.id, entry);
        if (key != null) {
            idempotency.put(key, entry.id);
        }
        job.result().whenComplete((value, error) -> {
            entry.result = value;
            entry.failure = error instanceof java.util.concurrent.CompletionException c && c.getCause() != null
                    ? c.getCause() : error;
            entry.bytes = value == null ? 0 : size.applyAsLong(value);
            entry.finishedNanos = clock.getAsLong();
            evict();
        });
        return new Submitted<>(entry, false);
    }

    /** The job {@code id} if {@code owner} submitted it and it is still kept. */
    public Optional<Entry<R>> get(String id, String owner) {
        evict();
        Entry<R> e = id == null ? null : entries.get(id);
        return e != null && e.owner.equals(owner) ? Optional.of(e) : Optional.empty();
    }

    /** The job {@code id} whoever submitted it (for cancel requests from other replicas). */
    public Optional<Entry<R>> find(String id) {
        return Optional.ofNullable(id == null ? null : entries.get(id));
    }

    /** Every job kept now. */
    public List<Entry<R>> all() {
        return List.copyOf(entries.values());
    }

    /** Drops job {@code id} (its record lives on in the shared job store). */
    public synchronized void forget(String id) {
        entries.remove(id);
        idempotency.values().removeIf(v -> v.equals(id));
    }

    /** Jobs kept now (waiting, running or finished). */
    public int size() {
        return entries.size();
    }

    /** Bytes of the finished results kept now. */
    public long resultBytes() {
        return entries.values().stream().mapToLong(e -> e.bytes).sum();
    }

    synchronized void evict() {
        long now = clock.getAsLong();
        entries.values().removeIf(e -> e.finished() && now - e.finishedNanos > ttl.toNanos());
        long total = resultBytes();
        if (total > maxResultBytes) {
            List<Entry<R>> finished = new ArrayList<>(entries.values().stream().filter(Entry::finished).toList());
            finished.sort(Comparator.comparingLong(e -> e.finishedNanos));
            for (Entry<R> e : finished) {
                if (total <= maxResultBytes) {
                    break;
                }
                entries.remove(e.id);
                total -= e.bytes;
            }
        }
        idempotency.values().removeIf(id -> !entries.containsKey(id));
    }

    /** For the admin view: how many jobs each owner has kept. */
    public Map<String, Long> countByOwner() {
        Map<String, Long> counts = new LinkedHashMap<>();
        entries.values().forEach(e -> counts.merge(e.owner, 1L, Long::sum));
        return counts;
    }
}
