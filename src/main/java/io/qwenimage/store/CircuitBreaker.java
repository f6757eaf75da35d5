package io.qwenimage.store;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * Stops calling a dependency that keeps failing or timing out, so that callers fall back at once instead of each
 * waiting out a timeout: closed (calls go through) → open after {@code failures} consecutive failures (calls are
 * refused without trying) → after {@code coolDown}, half-open (exactly one probe goes through; its success
 * closes, its failure opens again for another cool-down).
 *
 * <p>The listener hears each transition to open and back to closed once, not every refused call (one log line
 * per outage). Thread-safe; plain Java, so that it is tested with a fake clock.
 */
public final class CircuitBreaker {

    /** Where the breaker stands. */
    public enum State { CLOSED, OPEN, HALF_OPEN }

    /** Told when the breaker opens (with the failure that opened it) and when it closes again. */
    public interface Listener {
        void opened(String why);

        void closed();
    }

    private final int failures;
    private final long coolDownNanos;
    private final LongSupplier clock;
    private final Listener listener;
    private State state = State.CLOSED;
    private int consecutive;
    private long openedNanos;

    /**
     * @param failures consecutive failures that open the breaker (at least 1)
     * @param coolDown how long it stays open before a probe
     * @param clock    nanoseconds, {@code System::nanoTime} outside tests
     */
    public CircuitBreaker(int failures, Duration coolDown, LongSupplier clock, Listener listener) {
        if (failures < 1) {
            throw new IllegalArgumentException("failures must be at least 1");
        }
        this.failures = failures;
        this.coolDownNanos = coolDown.toNanos();
        this.clock = clock;
        this.listener = listener;
    }

    /**
     * Whether a call may go out now. True while closed; while open, false until the cool-down has passed, then
     * true for exactly one caller (the probe), whose outcome must be reported.
     */
    public synchronized boolean tryAcquire() {
        return switch (state) {
            case CLOSED -> true;
            case HALF_OPEN -> false;
            case OPEN -> {
                if (clock.getAsLong() - openedNanos < coolDownNanos) {
                    yield false;
                }
                state = State.HALF_OPEN;
                yield true;
            }
        };
    }

    /** A call answered in time. */
    public void onSuccess() {
        boolean closedNow;
        synchronized (this) {
            consecutive = 0;
            closedNow = state != State.CLOSED;
            state = State.CLOSED;
        }
        if (closedNow) {
            listener.closed();
        }
    }

    /** A call failed or timed out. */
    public void onFailure(String why) {
        boolean openedNow = false;
        synchronized (this) {
            if (state == State.HALF_OPEN) {
                state = State.OPEN;            // the probe failed: still open, announced already
                openedNanos = clock.getAsLong();
            } else if (state == State.CLOSED && ++consecutive >= failures) {
                state = State.OPEN;
                openedNanos = clock.getAsLong();
                openedNow = true;
            }
        }
        if (openedNow) {
            listener.opened(why);
        }
    }

    /** A call went out but was abandoned before its outcome was known: a probe may go out again at once. */
    public synchronized void onAbandoned() {
        if (state == State.HALF_OPEN) {
            state = State.OPEN;
        }
    }

    public synchronized State state() {
        return state;
    }
}
