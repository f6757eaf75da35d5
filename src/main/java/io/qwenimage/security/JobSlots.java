package io.qwenimage.security;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Caps the jobs one client has queued or running, so that one key cannot fill the shared queue. A slot is
 * taken when a job is submitted and given back once when it ends, however it ends.
 */
public final class JobSlots {

    private final int maxPerClient;
    private final ConcurrentHashMap<String, Integer> inUse = new ConcurrentHashMap<>();

    /** @param maxPerClient 0 or less: no cap */
    public JobSlots(int maxPerClient) {
        this.maxPerClient = maxPerClient;
    }

    /** A held slot; {@link #close()} gives it back (more calls do nothing). */
    public interface Slot extends AutoCloseable {
        @Override
        void close();
    }

    /** @throws TooManyJobsException when the client already holds the maximum */
    public Slot acquire(String client) {
        if (maxPerClient <= 0) {
            return () -> { };
        }
        boolean[] granted = {false};
        // check and take in one atomic step per client
        inUse.compute(client, (c, n) -> {
            int held = n == null ? 0 : n;
            if (held >= maxPerClient) {
                return n;
            }
            granted[0] = true;
            return held + 1;
        });
        if (!granted[0]) {
            throw new TooManyJobsException(maxPerClient);
        }
        AtomicBoolean open = new AtomicBoolean(true);
        return () -> {
            if (open.compareAndSet(true, false)) {
                release(client);
            }
        };
    }

    /** Jobs {@code client} has queued or running now. */
    public int held(String client) {
        Integer n = inUse.get(client);
        return n == null ? 0 : n;
    }

    public int maxPerClient() {
        return maxPerClient;
    }

    private void release(String client) {
        inUse.computeIfPresent(client, (c, n) -> n <= 1 ? null : n - 1);
    }
}
