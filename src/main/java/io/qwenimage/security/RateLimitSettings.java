package io.qwenimage.security;

/**
 * Token-bucket limits of one client: {@code burst} requests at once, refilled at {@code perMinute} a minute,
 * and at most {@code perHour} in any hour.
 */
public record RateLimitSettings(long perMinute, long perHour, long burst) {

    public RateLimitSettings {
        if (perMinute <= 0 || perHour <= 0 || burst <= 0) {
            throw new IllegalArgumentException("rate limits must be positive");
        }
    }
}
