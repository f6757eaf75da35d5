package io.qwenimage.jobs;

import java.time.Duration;

/**
 * @param workers      worker threads, each running one job at a time (1 on a CPU: a generation already uses
 *                     every core)
 * @param capacity     jobs that may wait for a worker; more are refused at once
 * @param queueTimeout longest wait in the queue before a job is dropped unstarted
 */
public record QueueSettings(int workers, int capacity, Duration queueTimeout) {

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
    }
}
