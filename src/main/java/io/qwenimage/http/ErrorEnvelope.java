package io.qwenimage.http;

import java.util.Map;

/**
 * The seed's error body: {@code {"success": false, "error": {"code", "message", "category", "details"}}}.
 *
 * @param success always false
 * @param error   what went wrong
 */
public record ErrorEnvelope(boolean success, Error error) {

    /**
     * @param code     machine-readable code (VALIDATION_ERROR, SERVICE_OVERLOADED, ...)
     * @param message  what happened, in words
     * @param category validation, capacity, timeout, auth, server, ...
     * @param details  path, method, timestamp and error-specific fields
     */
    public record Error(String code, String message, String category, Map<String, Object> details) {
    }

    /**
     * The body that answers {@code problem}: OpenAI's shape (for its {@code /v1/} routes, {@link #openAiPath}) or
     * the seed's. Its details gain the request's path and method (when there is a request) and the time.
     */
    public static Object body(io.qwenimage.errors.Problem problem, boolean openAiShape, String path,
                              String method) {
        Map<String, Object> details = new java.util.LinkedHashMap<>(problem.details());
        if (path != null) {
            details.put("path", path);
            details.put("method", method);
        }
        details.put("timestamp", java.time.Instant.now().toString());
        return openAiShape ? openAi(problem.status(), problem.code(), problem.message(), details)
                : of(problem.code(), problem.message(), problem.category(), details);
    }

    /** The error part of {@code problem} as a job document shows it (no request to name). */
    public static Error error(io.qwenimage.errors.Problem problem) {
        return ((ErrorEnvelope) body(problem, false, null, null)).error();
    }

    public static ErrorEnvelope of(String code, String message, String category, Map<String, Object> details) {
        return new ErrorEnvelope(false, new Error(code, message, category, details));
    }

    /**
     * The same error in OpenAI's shape, {@code {"error": {message, type, param, code}}}, for the {@code /v1/}
     * routes: OpenAI SDKs read it into their exceptions.
     */
    public static Map<String, Object> openAi(int status, String code, String message, Map<String, Object> details) {
        String type = switch (status) {
            case 401 -> "authentication_error";
            case 403 -> "permission_error";
            case 429 -> "rate_limit_error";
            default -> status >= 500 ? "server_error" : "invalid_request_error";
        };
        Map<String, Object> error = new java.util.LinkedHashMap<>();
        error.put("message", message);
        error.put("type", type);
        error.put("param", details == null ? null : details.get("field"));
        error.put("code", code == null ? null : code.toLowerCase(java.util.Locale.ROOT));
        return Map.of("error", error);
    }

    /** True for the routes that answer in OpenAI's shape. */
    public static boolean openAiPath(String path) {
        return path != null && (path.startsWith("/v1/") || path.startsWith("v1/"));
    }

    /** The error code of an error body in either shape (upper case), or null. */
    public static String codeOf(Object entity) {
        if (entity instanceof ErrorEnvelope e) {
            return e.error().code();
        }
        if (entity instanceof Map<?, ?> m && m.get("error") instanceof Map<?, ?> e && e.get("code") != null) {
            return e.get("code").toString().toUpperCase(java.util.Locale.ROOT);
        }
        return null;
    }
}
