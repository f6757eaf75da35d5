package io.qwenimage.jobs;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * The job store of a single instance: records in this process, each until its time to live passes; when the
 * records of finished jobs together pass {@code maxBytes}, the oldest finished ones go first.
 */
public final class InMemoryJobStore implements JobStore {

    private record Kept(JobRecord record, long expiresNanos, long savedNanos) {
    }

    private final Map<String, Kept> records = new ConcurrentHashMap<>();
    private final Map<String, Kept> idempotency = new ConcurrentHashMap<>();
    private final Map<String, Long> cancelRequests = new ConcurrentHashMap<>();
    private final List<Consumer<String>> cancelListeners = new CopyOnWriteArrayList<>();
    private final long maxBytes;
    private final LongSupplier clock;

    public InMemoryJobStore(long maxBytes) {
        this(maxBytes, System::nanoTime);
    }

    /** With a given clock (nanoseconds), so that tests can move time. */
    public InMemoryJobStore(long maxBytes, LongSupplier clock) {
        this.maxBytes = maxBytes;
        this.clock = clock;
    }

    @Override
    public String kind() {
        return "memory";
    }

    @Override
    public synchronized void save(JobRecord record, Duration ttl) {
        long now = clock.getAsLong();
        records.put(record.id(), new Kept(record, now + ttl.toNanos(), now));
        evict(now);
    }

    @Override
    public Optional<JobRecord> find(String id) {
        Kept kept = id == null ? null : records.get(id);
        if (kept == null || kept.expiresNanos() - clock.getAsLong() < 0) {
            return Optional.empty();
        }
        return Optional.of(kept.record());
    }

    @Override
    public synchronized Optional<String> bindIdempotencyKey(String owner, String key, String id, Duration ttl) {
        long now = clock.getAsLong();
        String k = owner + "\n" + key;
        Kept earlier = idempotency.get(k);
        if (earlier != null && earlier.expiresNanos() - now >= 0) {
            return Optional.of(earlier.record().id());
        }
        idempotency.put(k, new Kept(new JobRecord(id, owner, "", "", ""), now + ttl.toNanos(), now));
        return Optional.empty();
    }

    @Override
    public Optional<String> boundJob(String owner, String key) {
        Kept bound = idempotency.get(owner + "\n" + key);
        return bound == null || bound.expiresNanos() - clock.getAsLong() < 0 ? Optional.empty()
                : Optional.of(bound.record().id());
    }

    @Override
    public void requestCancel(String id) {
        cancelRequests.put(id, clock.getAsLong());
        cancelListeners.forEach(l -> l.accept(id));
    }

    @Override
    public boolean cancelRequested(String id) {
        return cancelRequests.containsKey(id);
    }

    @Override
    public void onCancelRequest(Consumer<String> listener) {
        cancelListeners.add(listener);
    }

    @Override
    public boolean available() {
        return true;
    }

    /** Records kept now. */
    public int size() {
        return records.size();
    }

    private void evict(long now) {
        records.values().removeIf(k -> k.expiresNanos() - now < 0);
        idempotency.values().removeIf(k -> k.expiresNanos() - now < 0);
        cancelRequests.keySet().removeIf(id -> !records.containsKey(id));
        long total = records.values().stream().filter(k -> k.record().terminal()).mapToLong(k -> k.record().bytes())
                .sum();
        if (total > maxBytes) {
            List<Kept> finished = new ArrayList<>(records.values().stream().filter(k -> k.record().terminal())
                    .toList());
            finished.sort(Comparator.comparingLong(Kept::savedNanos));
            for (Kept k : finished) {
                if (total <= maxBytes) {
                    break;
                }
                records.remove(k.record().id());
                total -= k.record().bytes();
            }
        }
    }
}
