package io.qwenimage.jobs;

/** Admission refused: the queue holds as many jobs as it may. Answer at once, with a retry hint. */
public class QueueFullException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final long retryAfterSeconds;

    public QueueFullException(int capacity, long retryAfterSeconds) {
        super("the generation queue is full (" + capacity + " jobs); retry in about " + retryAfterSeconds + " s");
        this.retryAfterSeconds = retryAfterSeconds;
    }

    /** Estimated wait before a slot frees, from queue length and recent service time; at least 1. */
    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
