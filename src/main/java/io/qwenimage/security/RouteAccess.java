package io.qwenimage.security;

/** What a route needs from its caller. */
public enum RouteAccess {
    /** Health probes and the configured public paths: no key, no address check. */
    PUBLIC,
    /** Generation and everything else: a key with the {@code generate} scope when keys are configured. */
    GENERATE,
    /** {@code /admin/**}: a key with the {@code admin} scope (without keys: loopback callers only). */
    ADMIN,
    /** {@code /metrics}, {@code /q/metrics} unless public: a key with the {@code metrics} (or {@code admin}) scope. */
    METRICS
}
