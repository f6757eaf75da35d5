package io.qwenimage.api;

import java.util.Map;

/**
 * An error the client should see as-is: HTTP status, the seed's error code and category, a message in words,
 * and details (e.g. the offending field and the limit).
 */
public class ApiException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int status;
    private final String code;
    private final String category;
    private final transient Map<String, Object> details;

    public ApiException(int status, String code, String category, String message, Map<String, Object> details) {
        super(message);
        this.status = status;
        this.code = code;
        this.category = category;
        this.details = details;
    }

    /** 422 VALIDATION_ERROR about one field. */
    public static ApiException invalid(String field, String message) {
        return new ApiException(422, "VALIDATION_ERROR", "validation", message, Map.of("field", field));
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    public String category() {
        return category;
    }

    public Map<String, Object> details() {
        return details;
    }
}
