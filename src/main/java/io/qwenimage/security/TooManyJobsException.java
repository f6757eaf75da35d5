package io.qwenimage.security;

import io.qwenimage.errors.ErrorCode;
import io.qwenimage.errors.ServiceException;
import java.util.Map;

/** A client already has as many jobs queued or running as {@code qwen.security.max-jobs-per-key} allows. */
public class TooManyJobsException extends ServiceException {

    private static final long serialVersionUID = 1L;

    private final int max;

    public TooManyJobsException(int max) {
        super(ErrorCode.TOO_MANY_JOBS, "this client already has " + max + " generation(s) queued or running; wait "
                + "for one to finish", Map.of("max_jobs_per_key", max));
        this.max = max;
    }

    public int max() {
        return max;
    }
}
