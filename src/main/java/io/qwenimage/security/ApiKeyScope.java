package io.qwenimage.security;

import java.util.Locale;

/** What a key may do. {@code admin} includes {@code generate}. */
public enum ApiKeyScope {
    /** Generation routes and reading the service's own state. */
    GENERATE,
    /** Admin routes: anything that shows or changes how the service is set up. */
    ADMIN;

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
        throw new IllegalArgumentException("unknown scope '" + text + "' (generate or admin)");
    }
}
