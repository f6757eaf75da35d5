package io.qwenimage.observability;

import io.micrometer.core.instrument.Timer;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.quarkus.vertx.http.runtime.CurrentVertxRequest;
import io.qwenimage.engine.ProgressListener;
import io.qwenimage.http.ErrorEnvelope;
import io.qwenimage.http.GenerationRoute;
import io.qwenimage.jobs.JobHooks;
import io.qwenimage.security.Callers;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.MDC;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;
import org.jboss.resteasy.reactive.server.ServerResponseFilter;
import org.jboss.resteasy.reactive.server.SimpleResourceInfo;

/**
 * Follows every request to a {@link GenerationRoute} from its arrival to its answer: opens its
 * {@link GenerationRecord}, watches its job on the worker ({@link #hooks}: request id and key id in the worker's
 * MDC, step times, OpenTelemetry spans for the queue wait and each phase, carried over from the HTTP span), and
 * when the answer leaves (or the client hangs up) records the outcome in the metrics, and in the audit log once the
 * answer is written.
 */
@ApplicationScoped
public class GenerationObserver {

    private static final String RECORD = GenerationRecord.class.getName();

    private final GenerationMetrics metrics;
    private final AuditLog audit;
    private final Tracer tracer;
    private final CurrentVertxRequest current;

    public GenerationObserver(GenerationMetrics metrics, AuditLog audit, Tracer tracer, CurrentVertxRequest current) {
        this.metrics = metrics;
        this.audit = audit;
        this.tracer = tracer;
        this.current = current;
    }

    // before the rate limit, so that rate-limited requests are counted too
    @ServerRequestFilter(priority = Priorities.USER - 100)
    public void begin(ContainerRequestContext request, SimpleResourceInfo resource) {
        if (resource == null || resource.getResourceClass() == null
                || !resource.getResourceClass().isAnnotationPresent(GenerationRoute.class)
                || !resource.getResourceClass().getAnnotation(GenerationRoute.class).measured()) {
            return;
        }
        RoutingContext context = current.getCurrent();
        GenerationRecord record = new GenerationRecord(request.getUriInfo().getPath(), Callers.of(context),
                RequestLog.id(context));
        request.setProperty(RECORD, record);
        context.put(RECORD, record);
        context.addHeadersEndHandler(v -> serverTiming(context, record));
    }

    /**
     * The overhead probe: on a picture answered synchronously, {@code Server-Timing} tells the client how much of
     * the server-side time (arrival to response headers, so decoding, queueing, tokenizing, encoding and JSON are
     * all in it) was spent inside ONNX Runtime, and the same goes to the metrics.
     */
    private void serverTiming(RoutingContext context, GenerationRecord record) {
        Long arrival = RequestLog.arrivalNanos(context);
        long onnx = record.onnxNanos();
        if (arrival == null || onnx < 0 || context.response().getStatusCode() != 200) {
            return;
        }
        long now = System.nanoTime();
        long total = now - arrival;
        long queued = Math.max(0, record.queueWaitNanos());
        long admit = record.submittedNanos() > 0 ? record.submittedNanos() - arrival : 0;
        long run = Math.max(0, record.runNanos());
        // admit: arrival to queue (body, auth, validation); run: on the worker (ONNX Runtime, scheduler, encoding)
        context.response().putHeader("Server-Timing", String.format(Locale.ROOT,
                "onnx;dur=%.3f, queue;dur=%.3f, total;dur=%.3f, admit;dur=%.3f, run;dur=%.3f", onnx / 1e6,
                queued / 1e6, total / 1e6, admit / 1e6, run / 1e6));
        metrics.serverTime(record, total, onnx);
    }

    @ServerResponseFilter
    public void end(ContainerRequestContext request, ContainerResponseContext response) {
        // 202: an asynchronous job was accepted; it is recorded when it ends (a streamed answer likewise)
        if (request.getProperty(RECORD) instanceof GenerationRecord record && response.getStatus() != 202
                && !record.isStreamed()) {
            String code = ErrorEnvelope.codeOf(response.getEntity());
            int status = response.getStatus();
            Outcome outcome = Outcome.of(status, code);
            RoutingContext context = current.getCurrent();
            if (context == null) {
                end(record, outcome, status);
            } else if (record.end()) {
                // the meters now, so that a scrape right after the answer counts it; the audit line (a log line
                // costs about 0.1 ms here) once the answer is written, as the access line is
                Outcome o = counted(record, outcome);
                context.addEndHandler(done -> {
                    MDC.put(RequestLog.MDC_KEY, record.requestId() == null ? "" : record.requestId());
                    audit.log(record, o, status);
                });
            }
        }
    }

    /** The record of the generation request being handled (a fresh, unattached one outside such a request). */
    public GenerationRecord current() {
        RoutingContext context = current.getCurrent();
        GenerationRecord record = context == null ? null : context.get(RECORD);
        return record != null ? record : new GenerationRecord("none", null, null);
    }

    /** Ends {@code record} (the first call wins): its meters and its audit line. */
    public void end(GenerationRecord record, Outcome outcome, int status) {
        if (record.end()) {
            audit.log(record, counted(record, outcome), status);
        }
    }

    /** The record's meters; the outcome as counted (a success from the cache is {@code CACHED}). */
    private Outcome counted(GenerationRecord record, Outcome outcome) {
        Outcome o = outcome == Outcome.SUCCESS && record.isCached() ? Outcome.CACHED : outcome;
        metrics.record(record, o);
        return o;
    }

    /**
     * The hooks of {@code record}'s job, made on the request's thread: they take its log and trace context to
     * the worker.
     */
    public JobHooks hooks(GenerationRecord record) {
        var q = record.request();
        Timer steps = metrics.stepTimer(record.model(), q.scheduler().apiName(), SizeClass.of(q.width(), q.height()));
        Context parent = Context.current();
        Span queued = tracer.spanBuilder("queue wait").setParent(parent).startSpan();
        String keyId = record.caller() == null || record.caller().anonymous() ? null : record.caller().id();
        return new JobHooks() {
            private long lastStep;
            private Span generation;
            private Span phase;

            @Override
            public JobHooks.Scope started() {
                return start(true);
            }

            @Override
            public JobHooks.Scope startedInBatch() {
                return start(false);
            }

            private JobHooks.Scope start(boolean current) {
                record.started();
                queued.end();
                MDC.put(RequestLog.MDC_KEY, record.requestId() == null ? "" : record.requestId());
                if (keyId != null) {
                    MDC.put("key_id", keyId);
                }
                generation = tracer.spanBuilder("generation").setParent(parent)
                        .setAttribute("qwen.model", record.model())
                        .setAttribute("qwen.scheduler", q.scheduler().apiName())
                        .setAttribute("qwen.steps", q.steps())
                        .setAttribute("qwen.size", q.width() + "x" + q.height()).startSpan();
                io.opentelemetry.context.Scope inSpan = current ? generation.makeCurrent()
                        : io.opentelemetry.context.Scope.noop();
                lastStep = System.nanoTime();
                return () -> {
                    if (phase != null) {
                        phase.end();
                    }
                    inSpan.close();
                    generation.end();
                    record.finished(q.numImages());
                    MDC.remove(RequestLog.MDC_KEY);
                    MDC.remove("key_id");
                };
            }

            @Override
            public void onPhase(Phase next) {
                if (phase != null) {
                    phase.end();
                }
                phase = tracer.spanBuilder(next.name().toLowerCase(Locale.ROOT).replace('_', ' ')).startSpan();
                if (next == ProgressListener.Phase.DENOISING) {
                    lastStep = System.nanoTime();
                }
            }

            @Override
            public void onStep(int step, int total) {
                long now = System.nanoTime();
                steps.record(now - lastStep, TimeUnit.NANOSECONDS);
                lastStep = now;
            }
        };
    }
}
