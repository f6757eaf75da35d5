package io.qwenimage.api;

import io.qwenimage.config.QwenConfig;
import io.qwenimage.engine.GenerationRequest;
import io.qwenimage.engine.GenerationResult;
import io.qwenimage.errors.Problem;
import io.qwenimage.jobs.Admission;
import io.qwenimage.jobs.Job;
import io.qwenimage.observability.GenerationObserver;
import io.qwenimage.observability.GenerationRecord;
import io.qwenimage.observability.Outcome;
import io.qwenimage.security.Callers;
import io.qwenimage.security.JobSlots;
import io.qwenimage.service.GenerationService;
import io.qwenimage.service.JobHooks;
import io.qwenimage.service.RunningJobs;
import io.qwenimage.store.CachedAnswer;
import io.qwenimage.store.ResultCache;
import io.qwenimage.store.SharedState;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.eclipse.microprofile.faulttolerance.exceptions.TimeoutException;

/**
 * Shared by the generation endpoints: submits to the queue, never waits on the event loop, cancels the job when
 * the client goes away, and answers JSON or raw bytes as the Accept header asks.
 */
@ApplicationScoped
public class GenerationResponder {

    private final GenerationService service;
    private final ResponseWriter writer;
    private final JobDeadline deadline;
    private final Callers callers;
    private final JobSlots slots;
    private final GenerationObserver observer;
    private final AsyncGenerations async;
    private final RunningJobs running;
    private final ResultCache cache;

    public GenerationResponder(GenerationService service, ResponseWriter writer, JobDeadline deadline,
                               Callers callers, QwenConfig config, GenerationObserver observer,
                               AsyncGenerations async, RunningJobs running, SharedState shared) {
        this.cache = shared.cache().orElse(null);
        this.async = async;
        this.running = running;
        this.service = service;
        this.writer = writer;
        this.deadline = deadline;
        this.callers = callers;
        this.slots = new JobSlots(config.security().maxJobsPerKey());
        this.observer = observer;
    }

    /** True when the client asked for image bytes rather than JSON. */
    static boolean wantsRaw(String accept) {
        if (accept == null) {
            return false;
        }
        String a = accept.toLowerCase(Locale.ROOT);
        return (a.contains("image/png") || a.contains("image/jpeg")) && !a.startsWith("application/json");
    }

    /** The format the Accept header forces, or the body's choice. */
    static String format(String accept, String fromBody) {
        if (wantsRaw(accept)) {
            return accept.toLowerCase(Locale.ROOT).contains("image/jpeg") ? "jpeg" : "png";
        }
        return fromBody;
    }

    /**
     * Submits and answers. Past the request deadline ({@link JobDeadline}) the client gets 504 and the job is
     * cancelled (it stops at its next step); a client that hangs up cancels it too. The job queue keeps a backstop
     * deadline one second later. The job holds one of its caller's job slots
     * ({@code qwen.security.max-jobs-per-key}) until it ends.
     */
    public Uni<Response> respond(GenerationRequest request, String accept, String format, Map<String, Object> extra) {
        return respond(null, request, accept, format, extra);
    }

    /**
     * As {@link #respond(GenerationRequest, String, String, Map)}, into a queue place taken before the request was
     * prepared ({@link PictureIntake}); null takes one now.
     */
    public Uni<Response> respond(Admission admission, GenerationRequest request, String accept, String format,
                                 Map<String, Object> extra) {
        boolean raw = wantsRaw(accept);
        return respond(admission, request, format, (result, encoded, model, seconds) -> raw
                ? writer.raw(result, encoded, format)
                : Response.ok(writer.json(request, result, encoded, format, model, seconds, extra))
                        .type("application/json").build());
    }

    /** Builds the answer of a finished generation, on the worker thread. */
    @FunctionalInterface
    public interface Answer {
        /**
         * @param encoded the pictures in the requested format
         * @param seconds since the request was submitted
         */
        Response build(GenerationResult result, List<byte[]> encoded, String model, double seconds);
    }

    /** As {@link #respond(GenerationRequest, String, String, Map)}, with the answer's shape given by the API. */
    public Uni<Response> respond(GenerationRequest request, String format, Answer answer) {
        return respond(null, request, format, answer);
    }

    /** As {@link #respond(GenerationRequest, String, Answer)}, into a queue place taken before (or null). */
    public Uni<Response> respond(Admission admission, GenerationRequest request, String format, Answer answer) {
        GenerationRecord record = observer.current();
        if (!cacheable(record)) {
            return await(submit(admission, request, record, format, answer::build), record);
        }
        // the cache may be Redis (blocking calls): looked up off the event loop
        String owner = callers.current().id();
        JobHooks hooks = hooks(request, record);
        return Uni.createFrom().item(() -> submit(admission, request, record, owner, hooks, format, answer::build))
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                .flatMap(job -> await(job, record))
                .map(r -> record.isCached() ? Response.fromResponse(r).header("X-Cache", "hit").build() : r);
    }

    private Uni<Response> await(Job<Response> job, GenerationRecord record) {
        return deadline.await(job)
                .onFailure(TimeoutException.class).invoke(() -> job.cancel("deadline exceeded"))
                .onCancellation().invoke(() -> {
                    job.cancel("client disconnected");
                    observer.end(record, Outcome.CANCELLED, 499);
                });
    }

    /** Turns a finished generation into the job's value, on the worker thread. */
    @FunctionalInterface
    private interface Finish<T> {
        T apply(GenerationResult result, List<byte[]> encoded, String model, double seconds);
    }

    /**
     * The one way a generation enters the queue: takes one of the caller's job slots (given back when the job
     * ends, however it ends), records the submission for metrics and audit, and tracks the job for AUTOMATIC1111's
     * progress and interrupt. Pictures are encoded on the worker, never on the event loop.
     */
    private <T> Job<T> submit(Admission admission, GenerationRequest request, GenerationRecord record, String format,
                              Finish<T> finish) {
        return submit(admission, request, record, callers.current().id(), hooks(request, record), format, finish);
    }

    /** {@code admission}, when not null, is used or given back on every path. */
    private <T> Job<T> submit(Admission admission, GenerationRequest request, GenerationRecord record, String owner,
                              JobHooks hooks, String format, Finish<T> finish) {
        try {
            return admitted(admission, request, record, owner, hooks, format, finish);
        } finally {
            if (admission != null) {
                admission.close();
            }
        }
    }

    private <T> Job<T> admitted(Admission admission, GenerationRequest request, GenerationRecord record, String owner,
                                JobHooks hooks, String format, Finish<T> finish) {
        long t0 = System.nanoTime();
        String model = service.modelInfo().id();
        String cacheKey = cacheable(record) ? ResultCache.key(request, model, format) : null;
        if (cacheKey != null) {
            Optional<CachedAnswer> hit = cache.get(cacheKey);
            if (hit.isPresent()) {
                record.cached();
                CachedAnswer a = hit.get();
                return Job.finished(finish.apply(new GenerationResult(List.of(), a.seeds(), a.truncatedPrompt(), 0,
                        true), a.images(), model, (System.nanoTime() - t0) / 1e9));
            }
        }
        JobSlots.Slot slot = slots.acquire(owner);
        record.submitted(request, model);
        Job<T> job;
        try {
            java.util.function.Function<GenerationResult, T> then = result -> {
                record.computed(result.onnxNanos());
                List<byte[]> encoded = writer.encode(request, result, format, model);
                if (cacheKey != null) {
                    cache.put(cacheKey, new CachedAnswer(format, result.seeds(), result.truncatedPrompt(), encoded));
                }
                return finish.apply(result, encoded, model, (System.nanoTime() - t0) / 1e9);
            };
            job = admission == null ? service.submit(request, hooks, then) : service.submit(admission, request, hooks,
                    then);
        } catch (RuntimeException e) {
            slot.close();
            throw e;
        }
        job.result().whenComplete((r, e) -> slot.close());
        running.add(owner, job);
        return job;
    }

    /** Only requests with an explicit seed are answered from, and kept in, the result cache. */
    private boolean cacheable(GenerationRecord record) {
        return cache != null && !record.isSeedDrawn();
    }

    /** The job's hooks, made on the request's thread (they carry its log and trace context to the worker). */
    private JobHooks hooks(GenerationRequest request, GenerationRecord record) {
        record.submitted(request, service.modelInfo().id());
        return observer.hooks(record);
    }

    /** True when the client asked not to wait ({@code Prefer: respond-async}, RFC 7240). */
    static boolean prefersAsync(String prefer) {
        return prefer != null && prefer.toLowerCase(Locale.ROOT).contains("respond-async");
    }

    /**
     * Submits as a job to collect later: 202 with its id and status URL at once. The job goes through the same
     * queue, limits and job slots; its metrics and audit line are written when it ends. A repeated
     * {@code Idempotency-Key} of the same caller returns the first job.
     */
    public Uni<Response> respondAsync(GenerationRequest request, String format, Map<String, Object> extra,
                                      String idempotencyKey) {
        return respondAsync(null, request, format, extra, idempotencyKey);
    }

    /** As {@link #respondAsync(GenerationRequest, String, Map, String)}, into a queue place taken before (or null). */
    public Uni<Response> respondAsync(Admission admission, GenerationRequest request, String format,
                                      Map<String, Object> extra, String idempotencyKey) {
        String owner = callers.current().id();
        GenerationRecord record = observer.current();
        JobHooks hooks = hooks(request, record);
        // the job store may be Redis (blocking calls): off the event loop
        return Uni.createFrom().item(() -> async.submit(owner, idempotencyKey, () -> {
                    Job<ImageResponse> job = submit(admission, request, record, owner, hooks, format,
                            (result, encoded, model, seconds) ->
                                    writer.json(request, result, encoded, format, model, seconds, extra));
                    job.result().whenComplete((r, e) -> {
                        if (e == null) {
                            observer.end(record, Outcome.SUCCESS, 200);
                        } else {
                            Problem failed = async.failureProblem(e);
                            observer.end(record, Outcome.of(failed.status(), failed.code()), failed.status());
                        }
                    });
                    return job;
                }))
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                .map(document -> Response.accepted(document)
                        .location(java.net.URI.create("/jobs/" + document.get("id")))
                        .header("Preference-Applied", "respond-async").type("application/json").build());
    }
}
