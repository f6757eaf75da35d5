package io.qwenimage.errors;

import java.util.Map;

/**
 * Every error code this service answers, with its HTTP status, its category and, for refusals that clear by
 * themselves, the seconds after which a retry may well succeed. README.md's "Errors" table lists the same pairs
 * (ErrorCatalogueTest holds the two together). A few codes appear under two statuses (a JSON body that cannot be
 * parsed is 400, a field with a wrong value 422, both {@code VALIDATION_ERROR}): each pair is its own constant.
 */
public enum ErrorCode {
    /** A field has a value this service cannot use. */
    VALIDATION_ERROR(422, "validation", null),
    /** The JSON body cannot be parsed at all (no field to blame). */
    MALFORMED_JSON(400, "VALIDATION_ERROR", "validation", null),
    /** The body could not be read. */
    INVALID_REQUEST(400, "validation", null),
    /** Matrix parameters, dot segments or encoded separators in the path. */
    INVALID_PATH(400, "validation", null),
    /** An uploaded picture that cannot be decoded. */
    INVALID_IMAGE(400, "validation", null),
    UNAUTHORIZED(401, "auth", null),
    FORBIDDEN(403, "auth", null),
    /** A route that does not exist, or a picture link that has expired. */
    NOT_FOUND(404, "validation", null),
    MODEL_NOT_FOUND(404, "validation", null),
    JOB_NOT_FOUND(404, "validation", null),
    METHOD_NOT_ALLOWED(405, "validation", null),
    /** Cancelling a job that has already ended. */
    JOB_FINISHED(409, "validation", null),
    /** Unloading a model that jobs are using or that is loading. */
    MODEL_BUSY(409, "validation", null),
    /** The job existed, but its result is no longer kept. */
    JOB_EXPIRED(410, "validation", null),
    /** An upload, a picture's declared size, or a whole body over the limits. */
    FILE_TOO_LARGE(413, "validation", null),
    TOO_MANY_PARTS(413, "validation", null),
    UNSUPPORTED_MEDIA_TYPE(415, "validation", null),
    RATE_LIMIT_EXCEEDED(429, "rate_limit", null),
    TOO_MANY_JOBS(429, "rate_limit", 5L),
    TOO_MANY_SUBSCRIBERS(429, "rate_limit", null),
    /** The client went away, or cancelled the job. */
    CANCELLED(499, "client", null),
    /** A genuine engine fault: the only 500. */
    INFERENCE_ERROR(500, "server", null),
    SERVICE_OVERLOADED(503, "capacity", 5L),
    /** Pictures being decoded already take the decode budget; one decode of the largest takes about 2 s. */
    DECODE_BUDGET_EXCEEDED(503, "capacity", 2L),
    QUEUE_TIMEOUT(503, "capacity", 5L),
    SHUTTING_DOWN(503, "availability", 5L),
    /** The model is loading, was unloaded a moment ago, or failed to load (the message says which). */
    MODEL_NOT_LOADED(503, "availability", 10L),
    JOB_STORE_UNAVAILABLE(503, "availability", 5L),
    GATEWAY_TIMEOUT(504, "timeout", null),
    /** A finished job whose pictures are larger than a job document may hold. */
    RESULT_TOO_LARGE(507, "capacity", null);

    private final int status;
    private final String wireCode;
    private final String category;
    private final Long retryAfterSeconds;

    ErrorCode(int status, String category, Long retryAfterSeconds) {
        this(status, null, category, retryAfterSeconds);
    }

    ErrorCode(int status, String wireCode, String category, Long retryAfterSeconds) {
        this.status = status;
        this.wireCode = wireCode;
        this.category = category;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    /** The HTTP status. */
    public int status() {
        return status;
    }

    /** The code as clients read it in the envelope. */
    public String wireCode() {
        return wireCode != null ? wireCode : name();
    }

    /** validation, auth, rate_limit, capacity, availability, timeout, client or server. */
    public String category() {
        return category;
    }

    /** The Retry-After this error carries unless the failure knows better, or null for none. */
    public Long retryAfterSeconds() {
        return retryAfterSeconds;
    }

    /** This error with a message and details. */
    public Problem problem(String message, Map<String, Object> details) {
        return new Problem(status, wireCode(), category, message, details, retryAfterSeconds, Map.of());
    }

    /** This error with a message and no details. */
    public Problem problem(String message) {
        return problem(message, Map.of());
    }
}
