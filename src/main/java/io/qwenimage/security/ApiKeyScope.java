package io.qwenimage.security;

import java.util.Locale;

/** What a key may do. {@code admin} includes {@code generate} and {@code metrics}. */
public enum ApiKeyScope {
    /** Generation routes and reading the service's own state. */
    GENERATE,
    /** Admin routes: anything that shows or changes how the service is set up. */
    ADMIN,
    /**
     * Reading {@code /metrics} and {@code /q/metrics} when they are not public paths, and nothing else: the key to
     * give a Prometheus scraper (it sees every key's usage, but may not generate).
     */
    METRICS;

    /** The scope's name in configuration and in security roles. */
    public String role() {
        return name().toLowerCase(Locale.ROOT);
    }

    static ApiKeyScope parse(String text) {
        for (ApiKeyScope s : values()) {
            if (s.role().equals(text.trim().toLowerCase(Locale.ROOT))) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown scope '" + text + "' (generate, admin or metrics)");
    }
}
