package io.qwenimage.security;

/**
 * The answer for one request: whether it may run, and what the {@code X-RateLimit-*} and {@code Retry-After}
 * headers say. Times are whole seconds, rounded up.
 */
public record RateLimitDecision(boolean allowed, long limit, long remaining, long resetSeconds,
                                long retryAfterSeconds) {
}
