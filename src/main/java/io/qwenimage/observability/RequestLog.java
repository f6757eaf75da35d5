package io.qwenimage.observability;

import io.qwenimage.security.Callers;
import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

/**
 * Gives every request an id and one access-log line (successful health probes and metric scrapes excepted). A well-formed incoming {@code X-Request-ID} (1–128 of
 * {@code A-Z a-z 0-9 . _ : -}) is kept, anything else replaced by a UUID; the id is echoed in the response and is
 * {@code request_id} in the MDC of every log line about the request (the worker's lines get it from
 * {@link GenerationObserver}).
 */
@ApplicationScoped
public class RequestLog {

    /** The header, in and out. */
    public static final String HEADER = "X-Request-ID";
    /** The MDC key. */
    public static final String MDC_KEY = "request_id";

    static final Pattern WELL_FORMED = Pattern.compile("[A-Za-z0-9._:-]{1,128}");
    /** Successful probes and scrapes are not access-logged. */
    static final Pattern QUIET = Pattern.compile("/health|/q/health(/.*)?|/metrics|/q/metrics");
    private static final String CONTEXT_KEY = RequestLog.class.getName();
    private static final String ARRIVAL_KEY = RequestLog.class.getName() + ".arrival";
    private static final Logger ACCESS = Logger.getLogger("io.qwenimage.access");

    void register(@Observes Filters filters) {
        // before everything else, so that even a refused request has an id
        filters.register(this::track, 2000);
    }

    /** The id of the request {@code context} belongs to. */
    public static String id(RoutingContext context) {
        return context == null ? null : context.get(CONTEXT_KEY);
    }

    /** {@link System#nanoTime()} when the request arrived (before any other filter), or null. */
    public static Long arrivalNanos(RoutingContext context) {
        return context == null ? null : context.get(ARRIVAL_KEY);
    }

    static String accept(String incoming) {
        return incoming != null && WELL_FORMED.matcher(incoming).matches() ? incoming : UUID.randomUUID().toString();
    }

    private void track(RoutingContext context) {
        String id = accept(context.request().getHeader(HEADER));
        long start = System.nanoTime();
        context.put(CONTEXT_KEY, id);
        context.put(ARRIVAL_KEY, start);
        MDC.put(MDC_KEY, id);
        context.response().putHeader(HEADER, id);
        context.addEndHandler(done -> {
            int status = context.response().getStatusCode();
            if (status < 400 && QUIET.matcher(context.request().path()).matches()) {
                return; // probes and scrapes every few seconds would drown the rest
            }
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("method", context.request().method().name());
            fields.put("path", context.request().path());
            fields.put("status", status);
            fields.put("duration_ms", (System.nanoTime() - start) / 1_000_000);
            fields.put("bytes", context.response().bytesWritten());
            var caller = Callers.of(context);
            fields.put("client_ip", caller.address());
            fields.put("key_id", caller.anonymous() ? null : caller.id());
            MDC.put(MDC_KEY, id);
            StructuredLog.info(ACCESS, "http", fields);
        });
        context.next();
    }
}
