package io.qwenimage.engine.image;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A cap on the memory of the pictures being decoded at once, in bytes (estimated from their headers): uploads
 * that each fit the pixel limit can still exhaust the heap together. A decode that does not fit is refused at
 * once rather than queued, so a flood of them costs nothing but the refusals.
 */
public final class DecodeBudget {

    private final long capacity;
    private final AtomicLong inFlight = new AtomicLong();

    /** @param capacity bytes that may be in decoding at once */
    public DecodeBudget(long capacity) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("a decode budget must be positive, got " + capacity);
        }
        this.capacity = capacity;
    }

    /**
     * Reserves {@code bytes} until the lease is closed.
     *
     * @throws DecodeBudgetExceededException when they do not fit beside the decodes in flight
     */
    public Lease acquire(long bytes) {
        while (true) {
            long now = inFlight.get();
            if (bytes > capacity - now) {
                throw new DecodeBudgetExceededException(bytes, now, capacity);
            }
            if (inFlight.compareAndSet(now, now + bytes)) {
                return new Lease(bytes);
            }
        }
    }

    /** Bytes reserved now. */
    public long inFlight() {
        return inFlight.get();
    }

    public long capacity() {
        return capacity;
    }

    /** Bytes of one decode, given back on close (once, however often it is closed). */
    public final class Lease implements AutoCloseable {

        private final long bytes;
        private final AtomicBoolean open = new AtomicBoolean(true);

        private Lease(long bytes) {
            this.bytes = bytes;
        }

        @Override
        public void close() {
            if (open.compareAndSet(true, false)) {
                inFlight.addAndGet(-bytes);
            }
        }
    }
}
