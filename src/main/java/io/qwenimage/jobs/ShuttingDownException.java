package io.qwenimage.jobs;

/** The service is draining for shutdown and takes no new jobs. */
public class ShuttingDownException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public ShuttingDownException() {
        super("the service is shutting down and accepts no new generations");
    }
}
