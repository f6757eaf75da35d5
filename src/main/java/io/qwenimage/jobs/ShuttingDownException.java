package io.qwenimage.jobs;

/** The service is draining for shutdown: it takes no new jobs, and stops those it could not finish in time. */
public class ShuttingDownException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public ShuttingDownException() {
        super("the service is shutting down and accepts no new generations");
    }

    private ShuttingDownException(String message) {
        super(message);
    }

    /** For a job admitted before the drain that could not finish within the shutdown timeout. */
    public static ShuttingDownException unfinished() {
        return new ShuttingDownException("the service shut down before this generation finished; retry it");
    }
}
