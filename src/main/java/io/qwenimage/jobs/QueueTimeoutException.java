package io.qwenimage.jobs;

import java.time.Duration;

/** A job waited in the queue longer than the queue timeout and was dropped before it started. */
public class QueueTimeoutException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public QueueTimeoutException(Duration waited, Duration limit) {
        super("the job waited " + waited.toMillis() + " ms in the queue; the limit is " + limit.toMillis() + " ms");
    }
}
