package io.qwenimage.api;

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

    public static ErrorEnvelope of(String code, String message, String category, Map<String, Object> details) {
        return new ErrorEnvelope(false, new Error(code, message, category, details));
    }
}
