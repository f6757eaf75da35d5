package io.qwenimage.jobs;

import java.time.Duration;

/**
 * @param workers       worker threads, each running one job (or one batch) at a time (1 on a CPU: a generation
 *                      already uses every core)
 * @param capacity      jobs that may wait for a worker; more are refused at once
 * @param queueTimeout  longest wait in the queue before a job is dropped unstarted
 * @param maxBatch      largest batch weight (images) a worker runs in one go; 1 turns dynamic batching off
 * @param maxBatchDelay how long a worker holding a batchable job waits for company; it waits only while jobs have
 *                      recently been arriving concurrently, so a lone client never pays it
 */
public record QueueSettings(int workers, int capacity, Duration queueTimeout, int maxBatch, Duration maxBatchDelay) {

    public QueueSettings {
        if (workers < 1) {
            throw new IllegalArgumentException("workers must be at least 1");
        }
        if (capacity < 0) {
            throw new IllegalArgumentException("capacity must not be negative");
        }
        if (queueTimeout.isNegative() || queueTimeout.isZero()) {
            throw new IllegalArgumentException("queue timeout must be positive");
        }
        if (maxBatch < 1) {
            throw new IllegalArgumentException("max batch must be at least 1");
        }
        if (maxBatchDelay.isNegative()) {
            throw new IllegalArgumentException("max batch delay must not be negative");
        }
    }

    /** Without dynamic batching. */
    public QueueSettings(int workers, int capacity, Duration queueTimeout) {
        this(workers, capacity, queueTimeout, 1, Duration.ZERO);
    }
}
