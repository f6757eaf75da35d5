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
 * The job store of a single instance: records in this process, each until its time to live passes. Finished
 * records are kept within two caps: each owner's own share ({@code perOwnerBytes}: past it, that owner's oldest
 * finished records go first, so one caller cannot evict everyone's results) and all of them together
 * ({@code maxBytes}: past it, the oldest finished records of anyone go). A dropped record leaves a tombstone, so
 * that its owner is told it expired rather than that it never existed.
 */
public final class InMemoryJobStore implements JobStore {

    private record Kept(JobRecord record, long expiresNanos, long savedNanos) {
    }

    private final Map<String, Kept> records = new ConcurrentHashMap<>();
    private final Map<String, Kept> idempotency = new ConcurrentHashMap<>();
    private final Map<String, Long> cancelRequests = new ConcurrentHashMap<>();
    private final List<Consumer<String>> cancelListeners = new CopyOnWriteArrayList<>();
    private final Tombstones tombstones = new Tombstones(TOMBSTONES_PER_OWNER, TOMBSTONE_OWNERS);
    private final long maxBytes;
    private final long perOwnerBytes;
    private final LongSupplier clock;

    /** Ids of dropped jobs remembered per owner, and owners remembered (documented with qwen.jobs.*). */
    public static final int TOMBSTONES_PER_OWNER = 1000;
    public static final int TOMBSTONE_OWNERS = 10_000;

    public InMemoryJobStore(long maxBytes, long perOwnerBytes) {
        this(maxBytes, perOwnerBytes, System::nanoTime);
    }

    /** Without a separate share per owner: each owner may use the whole cap. */
    public InMemoryJobStore(long maxBytes, LongSupplier clock) {
        this(maxBytes, maxBytes, clock);
    }

    /** With a given clock (nanoseconds), so that tests can move time. */
    public InMemoryJobStore(long maxBytes, long perOwnerBytes, LongSupplier clock) {
        this.maxBytes = maxBytes;
        this.perOwnerBytes = perOwnerBytes;
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
        tombstones.revive(record.owner(), record.id());
        evict(now, record.owner());
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
    public boolean expired(String owner, String id) {
        if (id == null) {
            return false;
        }
        Kept kept = records.get(id);
        if (kept != null && kept.record().owner().equals(owner) && kept.expiresNanos() - clock.getAsLong() < 0) {
            return true;        // past its time to live, not swept yet
        }
        return tombstones.buried(owner, id);
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

    private void evict(long now, String owner) {
        for (Kept k : List.copyOf(records.values())) {
            if (k.expiresNanos() - now < 0) {
                drop(k);
            }
        }
        idempotency.values().removeIf(k -> k.expiresNanos() - now < 0);
        cancelRequests.keySet().removeIf(id -> !records.containsKey(id));
        // the owner who just saved pays for its own results first ...
        List<Kept> theirs = finishedOldestFirst(k -> k.record().owner().equals(owner));
        dropOldest(theirs, perOwnerBytes);
        // ... and only past the global cap does anyone else's oldest go
        dropOldest(finishedOldestFirst(k -> true), maxBytes);
    }

    private List<Kept> finishedOldestFirst(java.util.function.Predicate<Kept> which) {
        List<Kept> finished = new ArrayList<>(records.values().stream()
                .filter(k -> k.record().terminal() && which.test(k)).toList());
        finished.sort(Comparator.comparingLong(Kept::savedNanos));
        return finished;
    }

    /** Drops the oldest of {@code finished} until they take at most {@code cap}; the newest one always stays. */
    private void dropOldest(List<Kept> finished, long cap) {
        long total = finished.stream().mapToLong(k -> k.record().bytes()).sum();
        for (int i = 0; i < finished.size() - 1 && total > cap; i++) {
            drop(finished.get(i));
            total -= finished.get(i).record().bytes();
        }
    }

    private void drop(Kept k) {
        if (records.remove(k.record().id(), k)) {
            tombstones.bury(k.record().owner(), k.record().id());
        }
    }
}
