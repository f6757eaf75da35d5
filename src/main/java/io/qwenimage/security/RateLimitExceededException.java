package io.qwenimage.security;

/** The caller's token bucket is empty: 429 with {@code Retry-After}. */
public class RateLimitExceededException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final transient RateLimitDecision decision;
    private final transient RateLimitSettings settings;

    public RateLimitExceededException(RateLimitDecision decision, RateLimitSettings settings) {
        super("rate limit exceeded: at most " + settings.perMinute() + " requests a minute (bursts of "
                + settings.burst() + ") and " + settings.perHour() + " an hour; retry in "
                + decision.retryAfterSeconds() + " s");
        this.decision = decision;
        this.settings = settings;
    }

    public RateLimitDecision decision() {
        return decision;
    }

    public RateLimitSettings settings() {
        return settings;
    }
}
