package io.qwenimage.errors;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One error as a client gets it, before it is written in an API's shape (the seed's envelope, or OpenAI's on the
 * {@code /v1/} routes): made by {@link ErrorCode#problem} or resolved from an exception by {@link ErrorCatalogue}.
 *
 * @param status            the HTTP status
 * @param code              the code in the body ({@code VALIDATION_ERROR}, {@code SERVICE_OVERLOADED}, ...)
 * @param category          validation, auth, rate_limit, capacity, availability, timeout, client or server
 * @param message           what happened, in words
 * @param details           error-specific fields (the offending field, the limit); the writer adds path, method and
 *                          time
 * @param retryAfterSeconds the Retry-After header, or null
 * @param headers           further headers (a rate limit's X-RateLimit-*)
 */
public record Problem(int status, String code, String category, String message, Map<String, Object> details,
                      Long retryAfterSeconds, Map<String, Object> headers) {

    public Problem {
        details = details == null ? Map.of() : details;
        headers = headers == null ? Map.of() : headers;
    }

    /** The same problem with a different Retry-After. */
    public Problem retryAfter(long seconds) {
        return new Problem(status, code, category, message, details, seconds, headers);
    }

    /** The same problem with one more header. */
    public Problem withHeader(String name, Object value) {
        Map<String, Object> h = new LinkedHashMap<>(headers);
        h.put(name, value);
        return new Problem(status, code, category, message, details, retryAfterSeconds, h);
    }
}
