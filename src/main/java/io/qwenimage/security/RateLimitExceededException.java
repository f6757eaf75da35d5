package io.qwenimage.security;

import io.qwenimage.errors.ErrorCode;
import io.qwenimage.errors.Problem;
import io.qwenimage.errors.ServiceException;
import java.util.LinkedHashMap;
import java.util.Map;

/** The caller's token bucket is empty: 429 with {@code Retry-After}. */
public class RateLimitExceededException extends ServiceException {

    private static final long serialVersionUID = 1L;

    private final transient RateLimitDecision decision;
    private final transient RateLimitSettings settings;

    public RateLimitExceededException(RateLimitDecision decision, RateLimitSettings settings) {
        super(problem(decision, settings));
        this.decision = decision;
        this.settings = settings;
    }

    public RateLimitDecision decision() {
        return decision;
    }

    public RateLimitSettings settings() {
        return settings;
    }

    /** 429 with the bucket's figures, Retry-After and the X-RateLimit headers. */
    private static Problem problem(RateLimitDecision d, RateLimitSettings settings) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("requests_per_minute", settings.perMinute());
        details.put("requests_per_hour", settings.perHour());
        details.put("burst", settings.burst());
        details.put("retry_after", d.retryAfterSeconds());
        return ErrorCode.RATE_LIMIT_EXCEEDED.problem("rate limit exceeded: at most " + settings.perMinute()
                        + " requests a minute (bursts of " + settings.burst() + ") and " + settings.perHour()
                        + " an hour; retry in " + d.retryAfterSeconds() + " s", details)
                .retryAfter(d.retryAfterSeconds())
                .withHeader("X-RateLimit-Limit", d.limit())
                .withHeader("X-RateLimit-Remaining", 0)
                .withHeader("X-RateLimit-Reset", d.resetSeconds());
    }
}
