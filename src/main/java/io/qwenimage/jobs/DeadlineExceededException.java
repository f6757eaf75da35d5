package io.qwenimage.jobs;

import java.time.Duration;

/** A job's deadline passed; it was stopped (at the next step if it was running). */
public class DeadlineExceededException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public DeadlineExceededException(Duration deadline) {
        super("the request did not finish within " + deadline.toMillis() + " ms and was stopped");
    }
}
