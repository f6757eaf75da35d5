package io.qwenimage.security;

/** A client already has as many jobs queued or running as {@code qwen.security.max-jobs-per-key} allows. */
public class TooManyJobsException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int max;

    public TooManyJobsException(int max) {
        super("this client already has " + max + " generation(s) queued or running; wait for one to finish");
        this.max = max;
    }

    public int max() {
        return max;
    }
}
