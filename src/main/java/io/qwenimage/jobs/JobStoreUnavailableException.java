package io.qwenimage.jobs;

/** The shared job store cannot be reached (Redis down): asynchronous endpoints answer 503 meanwhile. */
public final class JobStoreUnavailableException extends RuntimeException {

    public JobStoreUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
