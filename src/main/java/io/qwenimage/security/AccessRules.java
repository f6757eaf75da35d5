package io.qwenimage.security;

import java.util.ArrayList;
import java.util.List;

/**
 * Which {@link RouteAccess} a request path needs. The health probes are always public, so that Kubernetes and
 * load balancers never need a key; further public paths are configured, with a trailing {@code *} as a prefix
 * match.
 */
public final class AccessRules {

    // pictures handed out as URLs are capabilities: their id is 128 random bits, like a signed URL
    private static final List<String> ALWAYS_PUBLIC = List.of("/health", "/q/health*", "/v1/images/files/*");
    private static final String ADMIN_PREFIX = "/admin";
    private static final List<String> METRICS_PATHS = List.of("/metrics", "/q/metrics");

    private final List<String> exact = new ArrayList<>();
    private final List<String> prefixes = new ArrayList<>();

    /** @throws IllegalArgumentException for a pattern that does not start with {@code /} */
    public AccessRules(List<String> publicPaths) {
        List<String> all = new ArrayList<>(ALWAYS_PUBLIC);
        all.addAll(publicPaths);
        for (String raw : all) {
            String p = raw.trim();
            if (p.isEmpty()) {
                continue;
            }
            if (!p.startsWith("/")) {
                throw new IllegalArgumentException("public path '" + p + "' must start with /");
            }
            if (p.endsWith("*")) {
                prefixes.add(p.substring(0, p.length() - 1));
            } else {
                exact.add(p);
            }
        }
    }

    /**
     * As {@link #classify(String)}, for a method too. (AUTOMATIC1111's {@code POST /sdapi/v1/options} was an admin
     * route while it changed the one model for everyone; it now sets only the caller's own model.)
     */
    public RouteAccess classify(String method, String path) {
        return classify(path);
    }

    /** @param path the request's {@link RequestPath canonical path} */
    public RouteAccess classify(String path) {
        if (path == null || path.isEmpty()) {
            path = "/";
        }
        if (path.equals(ADMIN_PREFIX) || path.startsWith(ADMIN_PREFIX + "/")) {
            return RouteAccess.ADMIN;
        }
        if (exact.contains(path)) {
            return RouteAccess.PUBLIC;
        }
        for (String prefix : prefixes) {
            if (path.startsWith(prefix)) {
                return RouteAccess.PUBLIC;
            }
        }
        for (String metrics : METRICS_PATHS) {
            if (path.equals(metrics) || path.startsWith(metrics + "/")) {
                return RouteAccess.METRICS;
            }
        }
        return RouteAccess.GENERATE;
    }
}
