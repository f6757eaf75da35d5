package io.qwenimage.observability;

import io.qwenimage.errors.ErrorCode;
import java.util.Locale;

/**
 * How a generation request ended; the {@code outcome} tag of {@code qwen.jobs} and the audit line. CACHED: answered
 * from the result cache, no generation ran.
 */
public enum Outcome {
    SUCCESS, CACHED, INVALID, RATE_LIMITED, REJECTED_QUEUE_FULL, QUEUE_TIMEOUT, DEADLINE, CANCELLED, UNAVAILABLE, ERROR;

    /** The tag value. */
    public String tag() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** From the answer the client got: its status and the envelope's error code (null on success). */
    public static Outcome of(int status, String code) {
        if (status >= 200 && status < 300) {
            return SUCCESS;
        }
        if (status == 429) {
            return RATE_LIMITED;
        }
        if (status == 499) {
            return CANCELLED;
        }
        if (status == 504) {
            return DEADLINE;
        }
        if (status == 503) {
            return ErrorCode.SERVICE_OVERLOADED.wireCode().equals(code) ? REJECTED_QUEUE_FULL
                    : ErrorCode.QUEUE_TIMEOUT.wireCode().equals(code) ? QUEUE_TIMEOUT : UNAVAILABLE;
        }
        return status >= 500 ? ERROR : INVALID;
    }
}
