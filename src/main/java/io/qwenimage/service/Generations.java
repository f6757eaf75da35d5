package io.qwenimage.service;

import io.qwenimage.config.QwenConfig;
import io.qwenimage.engine.GenerationRequest;
import io.qwenimage.engine.GenerationResult;
import io.qwenimage.engine.model.ModelInfo;
import io.qwenimage.errors.ErrorCatalogue;
import io.qwenimage.errors.ErrorCode;
import io.qwenimage.errors.Problem;
import io.qwenimage.errors.ServiceException;
import io.qwenimage.jobs.DeadlineExceededException;
import io.qwenimage.jobs.Job;
import io.qwenimage.jobs.JobHooks;
import io.qwenimage.jobs.JobState;
import io.qwenimage.jobs.JobStoreUnavailableException;
import io.qwenimage.jobs.PreviewSchedule;
import io.qwenimage.jobs.SubscriberLimits;
import io.qwenimage.observability.GenerationObserver;
import io.qwenimage.observability.GenerationRecord;
import io.qwenimage.observability.Outcome;
import io.qwenimage.security.Callers;
import io.qwenimage.security.JobSlots;
import io.qwenimage.store.CachedAnswer;
import io.qwenimage.store.ResultCache;
import io.qwenimage.store.SharedState;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The application service every generation route goes through: resources map their wire format to a
 * {@link GenerationCommand} and map what comes back ({@link GeneratedPictures}, {@link JobStatus}) to their wire
 * format; everything between is here. The caller's job slots ({@code qwen.security.max-jobs-per-key}), the result
 * cache, the queue, the request deadline, metrics and audit, asynchronous jobs with their idempotency keys, and each
 * caller's running jobs for AUTOMATIC1111's progress and interrupt.
 *
 * <p>The event loop never waits: the queue's worker encodes the pictures, and the answer is completed on it; the
 * cache and the job store (Redis, blocking calls) are consulted on a worker thread.
 */
@ApplicationScoped
public class Generations {

    private final GenerationService service;
    private final PictureEncoder encoder;
    private final JobDeadline deadline;
    private final Callers callers;
    private final JobSlots slots;
    private final GenerationObserver observer;
    private final AsyncGenerations async;
    private final RunningJobs running;
    private final ResultCache cache;
    private final int previewEverySteps;
    private final Upscalers upscalers;

    Generations(GenerationService service, PictureEncoder encoder, JobDeadline deadline, Callers callers,
                QwenConfig config, GenerationObserver observer, AsyncGenerations async, RunningJobs running,
                SharedState shared, Upscalers upscalers) {
        this.upscalers = upscalers;
        this.service = service;
        this.encoder = encoder;
        this.deadline = deadline;
        this.callers = callers;
        this.slots = new JobSlots(config.security().maxJobsPerKey());
        this.observer = observer;
        this.async = async;
        this.running = running;
        this.cache = shared.cache().orElse(null);
        this.previewEverySteps = config.jobs().previewEverySteps();
    }

    /**
     * Model {@code id} (null or blank: the default) once it can take generations: at once when it is loaded,
     * otherwise when the load this starts has ended (off the event loop; the request waits for it).
     *
     * <p>Fails with 404 {@code MODEL_NOT_FOUND} (listing the ids) for a model not configured, 503 while the models
     * loaded at start load or while draining, 503 {@code MODEL_NOT_LOADED} with the reason when its load fails.
     */
    public Uni<ModelInfo> model(String id) {
        GenerationRecord record = observer.current();
        CompletableFuture<ModelInfo> stage = service.model(id).toCompletableFuture()
                .whenComplete((info, e) -> {
                    if (info != null) {
                        record.chose(info.id());
                    }
                });
        if (stage.isDone()) {
            return Uni.createFrom().completionStage(stage);
        }
        // the load ends on the loader thread: the request goes on in its own context (caller, metrics record)
        Context context = Vertx.currentContext();
        return Uni.createFrom().completionStage(stage).emitOn(command -> {
            if (context == null) {
                command.run();
            } else {
                context.runOnContext(v -> command.run());
            }
        });
    }

    /**
     * Generates and answers on this request. Past the request deadline ({@link JobDeadline}) the caller gets 504
     * and the job is cancelled (it stops at its next step); a caller that hangs up (the Uni is cancelled) cancels
     * it too. The job holds one of its caller's job slots until it ends.
     */
    public Uni<GeneratedPictures> generate(GenerationCommand command) {
        return generate(command, job -> { });
    }

    /**
     * {@link #generate(GenerationCommand)} with {@code partials} (1 to 3) live previews spread over the run, each
     * handed to {@code sink} on the worker as it is made (OpenAI's streamed partial images): the sink must only
     * pass it on. A cached answer has none.
     */
    public Uni<GeneratedPictures> generate(GenerationCommand command, int partials, Consumer<PreviewPicture> sink) {
        return generate(command, job -> job.wantPreviews(PreviewSchedule.spread(partials),
                p -> sink.accept(PreviewPicture.of(p))));
    }

    private Uni<GeneratedPictures> generate(GenerationCommand command, Consumer<Job<?>> watch) {
        GenerationRecord record = observer.current();
        String owner = callers.current().id();
        if (!cacheable(record)) {
            return await(submit(command, record, owner, hooks(command, record), Function.identity(), watch),
                    record);
        }
        // the cache may be Redis (blocking calls): looked up off the event loop
        JobHooks hooks = hooks(command, record);
        return Uni.createFrom().item(() -> submit(command, record, owner, hooks, Function.identity(), watch))
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                .flatMap(job -> await(job, record));
    }

    /**
     * Submits as a job to collect later: its first status document at once. The job goes through the same queue,
     * limits and job slots; its metrics and audit line are written when it ends. A repeated
     * {@code Idempotency-Key} of the same caller returns the first job and submits nothing.
     *
     * @throws JobStoreUnavailableException (in the Uni) when the job store cannot take the job; nothing runs then
     */
    public Uni<JobStatus> submitJob(GenerationCommand command) {
        String owner = callers.current().id();
        GenerationRecord record = observer.current();
        JobHooks hooks = hooks(command, record);
        // the job store may be Redis (blocking calls): off the event loop
        return Uni.createFrom().item(() -> async.submit(owner, command.idempotencyKey(), () -> {
                    Job<ImageResponse> job = submit(command, record, owner, hooks, ImageResponse::of, j -> { });
                    job.result().whenComplete((r, e) -> {
                        if (e == null) {
                            observer.end(record, Outcome.SUCCESS, 200);
                        } else {
                            Problem failed = ErrorCatalogue.problemOf(e);
                            observer.end(record, Outcome.of(failed.status(), failed.code()), failed.status());
                        }
                    });
                    return job;
                }))
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
    }

    /**
     * The caller's job {@code id} as its reader gets it.
     *
     * @throws ServiceException 404 {@code JOB_NOT_FOUND} for an id that is not the caller's job, 410
     *                          {@code JOB_EXPIRED} when it was and its record is gone
     */
    public JobAnswer job(String id) {
        return job(id, callers.current().id());
    }

    private JobAnswer job(String id, String owner) {
        return async.answer(id, owner).orElseThrow(() -> notFound(id));
    }

    /** The document of {@code answer} (a stored one parsed: small while the job runs). */
    public JobStatus document(JobAnswer answer) {
        return async.document(answer);
    }

    /**
     * Cancels the caller's job {@code id}: queued, removed at once; running, it stops within one step (on another
     * replica: asked through the job store).
     *
     * @throws ServiceException 404 for an unknown id, 409 {@code JOB_FINISHED} when it had already finished
     */
    public JobStatus cancelJob(String id) {
        return async.cancel(id, callers.current().id()).orElseThrow(() -> notFound(id));
    }

    /**
     * One more progress stream of the caller's job {@code id}; closed when the stream ends.
     *
     * @throws ServiceException 404/410 as {@link #job(String)}; 429 {@code TOO_MANY_SUBSCRIBERS} when the job or
     *                          the caller has the most streams allowed
     */
    public ProgressStream openProgressStream(String id, boolean previews) {
        String owner = callers.current().id();
        job(id, owner);
        SubscriberLimits.Decision decision = async.subscribers().tryAcquire(id, owner);
        SubscriberLimits.Lease lease = decision.lease().orElseThrow(() -> tooManySubscribers(id, decision));
        Optional<Job<ImageResponse>> here = previews ? async.localJob(id, owner) : Optional.empty();
        here.ifPresent(j -> j.wantPreviews(PreviewSchedule.every(previewEverySteps)));
        return new ProgressStream() {
            @Override
            public JobAnswer poll() {
                return job(id, owner);
            }

            @Override
            public PreviewPicture preview() {
                return here.map(j -> PreviewPicture.of(j.preview())).orElse(null);
            }

            @Override
            public void close() {
                lease.close();
            }
        };
    }

    /** Progress streams open now, on this replica. */
    public int openProgressStreams() {
        return async.subscribers().open();
    }

    /** True for a failure that means the job store is away for a moment (a progress stream waits for it). */
    public static boolean storeUnavailable(Throwable failure) {
        return failure instanceof JobStoreUnavailableException;
    }

    /**
     * How far the caller's current generation is; with {@code image}, its latest live preview too (asking for one
     * starts them for that generation: the first answer has none yet).
     */
    public CallerProgress progress(boolean image) {
        List<Job<?>> jobs = running.of(callers.current().id());
        Job<?> current = jobs.stream().filter(j -> j.state() == JobState.RUNNING).findFirst()
                .orElse(jobs.isEmpty() ? null : jobs.get(0));
        if (current == null) {
            return new CallerProgress(0, 0, 0, 0, null, null);
        }
        String preview = null;
        if (image) {
            current.wantPreviews(PreviewSchedule.every(previewEverySteps));
            PreviewPicture latest = PreviewPicture.of(current.preview());
            preview = latest == null || current.state() != JobState.RUNNING ? null : PreviewPictures.base64Png(latest);
        }
        return new CallerProgress(jobs.size(), current.step(), current.totalSteps(),
                Math.max(0, current.etaSeconds()), current.state().name().toLowerCase(Locale.ROOT), preview);
    }

    /** Stops the caller's queued and running generations (a running one within one step); how many. */
    public int interrupt() {
        List<Job<?>> jobs = running.of(callers.current().id());
        jobs.forEach(j -> j.cancel("interrupted"));
        return jobs.size();
    }

    private Uni<GeneratedPictures> await(Job<GeneratedPictures> job, GenerationRecord record) {
        return deadline.await(job)
                .onFailure(DeadlineExceededException.class).invoke(() -> job.cancel("deadline exceeded"))
                .onCancellation().invoke(() -> {
                    job.cancel("client disconnected");
                    observer.end(record, Outcome.CANCELLED, 499);
                });
    }

    /**
     * The one way a generation enters the queue: from the cache, or through one of the caller's job slots (given
     * back when the job ends, however it ends), recorded for metrics and audit, and tracked for A1111's progress
     * and interrupt. The command's queue place, if any, is used or given back on every path. {@code shape} turns
     * the encoded pictures into the job's value on the worker.
     */
    private <T> Job<T> submit(GenerationCommand command, GenerationRecord record, String owner, JobHooks hooks,
                              Function<GeneratedPictures, T> shape, Consumer<Job<?>> watch) {
        try {
            return admitted(command, record, owner, hooks, shape, watch);
        } finally {
            if (command.place() != null) {
                command.place().close();
            }
        }
    }

    private <T> Job<T> admitted(GenerationCommand command, GenerationRecord record, String owner, JobHooks hooks,
                                Function<GeneratedPictures, T> shape, Consumer<Job<?>> watch) {
        long t0 = System.nanoTime();
        GenerationRequest request = command.request();
        ModelInfo model = service.modelStatus(command.model()).info();
        // a finished picture (upscaled, hires fix) is not in the cache's key: such requests are not cached
        String cacheKey = cacheable(record) && command.finish().none()
                ? ResultCache.key(request, model.id(), command.format()) : null;
        if (cacheKey != null) {
            Optional<CachedAnswer> hit = cache.get(cacheKey);
            if (hit.isPresent()) {
                record.cached();
                CachedAnswer a = hit.get();
                return Job.finished(shape.apply(new GeneratedPictures(request, a.images(), a.seeds(),
                        a.truncatedPrompt(), model.id(), model.pipeline(), command.format(),
                        (System.nanoTime() - t0) / 1e9, true, command.input(), command.finish())));
            }
        }
        JobSlots.Slot slot = slots.acquire(owner);
        Job<T> job;
        try {
            Function<GenerationResult, T> then = result -> {
                record.computed(result.onnxNanos());
                List<byte[]> encoded = encoder.encode(request, result, command.format(), model.id());
                if (cacheKey != null) {
                    cache.put(cacheKey, new CachedAnswer(command.format(), result.seeds(), result.truncatedPrompt(),
                            encoded));
                }
                return shape.apply(new GeneratedPictures(request, encoded, result.seeds(), result.truncatedPrompt(),
                        model.id(), model.pipeline(), command.format(), (System.nanoTime() - t0) / 1e9, false,
                        command.input(), command.finish()));
            };
            Finisher finisher = Finishers.of(request, command.finish(), upscalers);
            job = service.submit(command.place() == null ? service.admit() : command.place().admission(), model.id(),
                    request, hooks, finisher, then);
        } catch (RuntimeException e) {
            slot.close();
            throw e;
        }
        watch.accept(job);
        job.result().whenComplete((r, e) -> slot.close());
        running.add(owner, job);
        return job;
    }

    /** Only requests with an explicit seed are answered from, and kept in, the result cache. */
    private boolean cacheable(GenerationRecord record) {
        return cache != null && !record.isSeedDrawn();
    }

    /** The job's hooks, made on the request's thread (they carry its log and trace context to the worker). */
    private JobHooks hooks(GenerationCommand command, GenerationRecord record) {
        record.submitted(command.request(), command.model());
        return observer.hooks(record);
    }

    private static ServiceException notFound(String id) {
        return new ServiceException(ErrorCode.JOB_NOT_FOUND, "no job " + id + " (finished jobs are kept for a "
                + "while, and only for whoever submitted them)", Map.of("id", id));
    }

    private static ServiceException tooManySubscribers(String id, SubscriberLimits.Decision decision) {
        boolean perJob = decision.refusal() == SubscriberLimits.Refusal.JOB;
        return new ServiceException(ErrorCode.TOO_MANY_SUBSCRIBERS, perJob
                ? "job " + id + " already has the most progress streams allowed (qwen.jobs.events-max-subscribers-"
                + "per-job); close one, or poll GET /jobs/" + id
                : "this caller already has the most progress streams allowed (qwen.jobs.events-max-subscribers-"
                + "per-caller); close one, or poll GET /jobs/{id}", Map.of("id", id, "limit", perJob ? "job"
                : "caller"));
    }
}
