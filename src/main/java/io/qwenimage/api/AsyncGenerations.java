package io.qwenimage.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.qwenimage.config.QwenConfig;
import io.qwenimage.errors.ErrorCatalogue;
import io.qwenimage.errors.ErrorCode;
import io.qwenimage.errors.Problem;
import io.qwenimage.errors.ServiceException;
import io.qwenimage.http.ErrorEnvelope;
import io.qwenimage.jobs.AsyncJobStore;
import io.qwenimage.jobs.Job;
import io.qwenimage.jobs.JobRecord;
import io.qwenimage.jobs.JobState;
import io.qwenimage.jobs.JobStore;
import io.qwenimage.jobs.JobStoreUnavailableException;
import io.qwenimage.service.GenerationService;
import io.qwenimage.store.SharedState;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * The asynchronous side of generation. The jobs this replica runs are live in an {@link AsyncJobStore} (their
 * {@link Job} handles: progress, cancellation); their status documents (what {@code GET /jobs/{id}} answers) are
 * published to the {@link JobStore} — on submit, every half second while they change, and at their end with the
 * result — so that any replica can answer for any job when the store is shared (Redis). Once its final document
 * is published, a job is dropped here and read from the store.
 *
 * <p>Queue positions are per replica: a job waits in the queue of the replica that admitted it, and its
 * position is its place there (as published at the last half-second tick). A global position would need a
 * global queue, and the replicas' queues drain at their own pace anyway.
 *
 * <p>Cancels: one for a job running here acts at once; one for a job elsewhere goes through the store (pub/sub,
 * and a flag polled every half second) to the replica that runs it.
 */
@ApplicationScoped
public class AsyncGenerations {

    private static final Logger LOG = Logger.getLogger(AsyncGenerations.class);
    private static final TypeReference<Map<String, Object>> DOCUMENT = new TypeReference<>() {
    };

    private final AsyncJobStore<ImageResponse> local;
    private final JobStore shared;
    private final String replica;
    private final GenerationService service;
    private final ObjectMapper json;
    private final Duration resultTtl;
    private final Duration liveTtl;
    private final long maxResultBytes;
    private final io.qwenimage.jobs.SubscriberLimits subscribers;
    private final Map<String, String> published = new ConcurrentHashMap<>();
    private final ScheduledExecutorService publisher = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "qwen-job-publisher");
        t.setDaemon(true);
        return t;
    });

    public AsyncGenerations(QwenConfig config, GenerationService service, SharedState state, ObjectMapper json) {
        // a long backstop: jobs leave this store as soon as their final document is published
        this.local = new AsyncJobStore<>(config.jobs().resultTtl(), config.jobs().maxResultBytes());
        this.shared = state.jobs();
        this.replica = state.replica();
        this.service = service;
        this.json = json;
        this.resultTtl = config.jobs().resultTtl();
        this.liveTtl = config.server().requestTimeout().plus(config.jobs().resultTtl());
        this.maxResultBytes = config.jobs().maxResultBytes();
        this.subscribers = new io.qwenimage.jobs.SubscriberLimits(config.jobs().eventsMaxSubscribersPerJob(),
                config.jobs().eventsMaxSubscribersPerCaller());
        shared.onCancelRequest(id -> local.find(id).ifPresent(e -> e.job().cancel("cancelled by the client")));
        publisher.scheduleWithFixedDelay(this::tick, 500, 500, TimeUnit.MILLISECONDS);
    }

    @PreDestroy
    void stop() {
        publisher.shutdownNow();
    }

    /**
     * Submits through {@code submit} and publishes the job's first document; or, for a repeated idempotency key of
     * the same owner, returns the earlier job's document (on this replica or, through the store, another). A replay
     * of a known key submits nothing: it takes no place in the queue and no job slot, so it is answered even when
     * the queue is full.
     *
     * @throws JobStoreUnavailableException when the store cannot take the job (nothing runs then)
     */
    public Map<String, Object> submit(String owner, String idempotencyKey, Supplier<Job<ImageResponse>> submit) {
        boolean keyed = idempotencyKey != null && !idempotencyKey.isBlank();
        if (keyed) {
            Optional<Map<String, Object>> replayed = replayed(owner, idempotencyKey);
            if (replayed.isPresent()) {
                return replayed.get();
            }
        }
        var submitted = local.submit(owner, idempotencyKey, submit, AsyncGenerations::size);
        AsyncJobStore.Entry<ImageResponse> entry = submitted.entry();
        if (submitted.repeated()) {
            return view(entry);
        }
        try {
            if (keyed) {
                Optional<String> earlier = shared.bindIdempotencyKey(owner, idempotencyKey, entry.id(), liveTtl);
                if (earlier.isPresent() && !earlier.get().equals(entry.id())) {
                    Optional<Map<String, Object>> theirs = stored(earlier.get(), owner);
                    if (theirs.isPresent()) {
                        entry.job().cancel("a job with this Idempotency-Key exists");
                        local.forget(entry.id());
                        return theirs.get();
                    }
                }
            }
            publish(entry);
        } catch (JobStoreUnavailableException e) {
            entry.job().cancel("the job store is unavailable");
            local.forget(entry.id());
            throw e;
        }
        entry.job().result().whenComplete((v, error) -> publisher.execute(() -> finish(entry)));
        return view(entry);
    }

    /**
     * The status document of job {@code id} if {@code owner} may see it; live here, or from the store.
     *
     * @throws ServiceException 410 {@code JOB_EXPIRED} when it was {@code owner}'s and its record is gone
     */
    public Optional<Map<String, Object>> status(String id, String owner) {
        Optional<AsyncJobStore.Entry<ImageResponse>> here = local.get(id, owner);
        if (here.isPresent()) {
            return Optional.of(view(here.get()));
        }
        return orExpired(stored(id, owner), id, owner);
    }

    /** {@code found}, or 410 when the store remembers dropping {@code owner}'s job {@code id}. */
    private <T> Optional<T> orExpired(Optional<T> found, String id, String owner) {
        if (found.isEmpty() && shared.expired(owner, id)) {
            throw new ServiceException(ErrorCode.JOB_EXPIRED, "job " + id + " has finished and its result "
                    + "is no longer kept (past qwen.jobs.result-ttl, or evicted for newer results of the same "
                    + "caller past qwen.jobs.max-result-bytes-per-owner)", Map.of("id", id));
        }
        return found;
    }

    /**
     * Cancels job {@code id}: here at once; elsewhere through the store, waiting up to two seconds to see it end.
     *
     * @return the document after the cancel, or empty for an unknown job
     * @throws ServiceException 409 when the job had already finished
     */
    public Optional<Map<String, Object>> cancel(String id, String owner) {
        Optional<AsyncJobStore.Entry<ImageResponse>> here = local.get(id, owner);
        if (here.isPresent()) {
            AsyncJobStore.Entry<ImageResponse> e = here.get();
            String status = status(e);
            if (terminal(status)) {
                throw finished(id, status);
            }
            e.job().cancel("cancelled by the client");
            return Optional.of(view(e));
        }
        Optional<JobRecord> record = orExpired(shared.find(id).filter(r -> r.owner().equals(owner)), id, owner);
        if (record.isEmpty()) {
            return Optional.empty();
        }
        if (record.get().terminal()) {
            throw finished(id, record.get().status());
        }
        shared.requestCancel(id);
        JobRecord latest = record.get();
        long until = System.nanoTime() + 2_000_000_000L;
        while (!latest.terminal() && System.nanoTime() < until) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                break;
            }
            latest = shared.find(id).orElse(latest);
        }
        return Optional.of(parse(latest));
    }

    /** Bytes a result holds in memory (its base64 pictures). */
    static long size(ImageResponse r) {
        return r.images() == null ? 0 : r.images().stream().mapToLong(i -> 2L * i.length()).sum();
    }

    /** {@code queued}, {@code running}, {@code succeeded}, {@code failed} or {@code cancelled}. */
    static String status(AsyncJobStore.Entry<ImageResponse> e) {
        JobState s = e.job().state();
        return switch (s) {
            case QUEUED -> "queued";
            case RUNNING -> "running";
            case SUCCEEDED -> e.result() != null ? "succeeded" : "running";
            case CANCELLED -> "cancelled";
            default -> e.finished() ? "failed" : "running";
        };
    }

    /** True once the job will not change any more. */
    static boolean terminal(String status) {
        return status.equals("succeeded") || status.equals("failed") || status.equals("cancelled");
    }

    /** The status document of a job running here. */
    Map<String, Object> view(AsyncJobStore.Entry<ImageResponse> e) {
        Map<String, Object> v = new LinkedHashMap<>();
        String status = status(e);
        Job<ImageResponse> job = e.job();
        v.put("id", e.id());
        v.put("status", status);
        v.put("created", e.created().toString());
        v.put("status_url", "/jobs/" + e.id());
        v.put("replica", replica);
        if (status.equals("queued") && service.queue() != null) {
            int position = service.queue().position(job);
            v.put("position", position);
            v.put("eta_seconds", Math.round(position * service.queue().meanServiceSeconds()
                    / Math.max(1, service.queue().running()) * 10) / 10.0);
        }
        if (status.equals("running")) {
            v.put("step", job.step());
            v.put("total_steps", job.totalSteps());
            double eta = job.etaSeconds();
            if (eta >= 0) {
                v.put("eta_seconds", Math.round(eta * 10) / 10.0);
            }
        }
        if (status.equals("succeeded")) {
            if (job.totalSteps() > 0) {
                v.put("total_steps", job.totalSteps());     // the steps it ran (image-to-image: fewer than asked)
            }
            v.put("result", e.result());
        }
        if (status.equals("failed") || status.equals("cancelled")) {
            Throwable failure = e.failure();
            if (failure != null) {
                Problem p = ErrorCatalogue.problemOf(failure);
                v.put("error", ErrorEnvelope.error(p));
                v.put("http_status", p.status());
            }
        }
        return v;
    }

    /** The caps on open progress streams. */
    public io.qwenimage.jobs.SubscriberLimits subscribers() {
        return subscribers;
    }

    /** The answer a failure gives: for the metrics and audit of a job that ended after its request. */
    Problem failureProblem(Throwable failure) {
        return ErrorCatalogue.problemOf(failure);
    }

    /** The document of the job {@code owner}'s key is bound to: live here, or its record in the store. */
    private Optional<Map<String, Object>> replayed(String owner, String idempotencyKey) {
        return shared.boundJob(owner, idempotencyKey)
                .flatMap(id -> local.get(id, owner).map(this::view).or(() -> stored(id, owner)));
    }

    private Optional<Map<String, Object>> stored(String id, String owner) {
        return shared.find(id).filter(r -> r.owner().equals(owner)).map(this::parse);
    }

    private Map<String, Object> parse(JobRecord record) {
        try {
            return json.readValue(new com.fasterxml.jackson.databind.util.ByteBufferBackedInputStream(
                    record.document().view()), DOCUMENT);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("unreadable job document " + record.id(), e);
        }
    }

    /**
     * Job {@code id} as its reader gets it: the live document of a job running here, or the stored record,
     * whose shared bytes are answered as they are (never parsed and written again per reader).
     *
     * @throws ServiceException 410 {@code JOB_EXPIRED} when it was {@code owner}'s and its record is gone
     */
    public Optional<JobAnswer> answer(String id, String owner) {
        Optional<AsyncJobStore.Entry<ImageResponse>> here = local.get(id, owner);
        if (here.isPresent()) {
            return Optional.of(JobAnswer.live(view(here.get())));
        }
        return orExpired(shared.find(id).filter(r -> r.owner().equals(owner)), id, owner)
                .map(r -> new JobAnswer(r.status(), null, r));
    }

    /** A job's status document: built now ({@code live}) or as stored ({@code stored}). */
    public record JobAnswer(String status, Map<String, Object> live, JobRecord stored) {

        static JobAnswer live(Map<String, Object> view) {
            return new JobAnswer((String) view.get("status"), view, null);
        }

        public boolean terminal() {
            return AsyncGenerations.terminal(status);
        }
    }

    /** The parsed document of {@code answer} (small while the job runs; a finished one is not parsed per reader). */
    Map<String, Object> map(JobAnswer answer) {
        return answer.live() != null ? answer.live() : parse(answer.stored());
    }

    /** Saves the job's document if it changed since the last save. */
    private void publish(AsyncJobStore.Entry<ImageResponse> e) {
        Map<String, Object> view = view(e);
        String status = (String) view.get("status");
        String document;
        try {
            document = json.writeValueAsString(view);     // once per change, shared by every reader
        } catch (JsonProcessingException ex) {
            throw new IllegalStateException(ex);
        }
        if (document.equals(published.get(e.id()))) {
            return;
        }
        JobRecord record = new JobRecord(e.id(), e.owner(), replica, status, document);
        if (record.terminal() && record.bytes() > maxResultBytes) {
            record = tooLarge(e, record);
        }
        shared.save(record, record.terminal() ? resultTtl : liveTtl);
        published.put(e.id(), document);
    }

    private JobRecord tooLarge(AsyncJobStore.Entry<ImageResponse> e, JobRecord record) {
        Map<String, Object> v = new LinkedHashMap<>(parse(record));
        v.remove("result");
        v.put("status", "failed");
        Problem p = ErrorCode.RESULT_TOO_LARGE.problem("the pictures (" + record.bytes() + " bytes) exceed "
                + "qwen.jobs.max-result-bytes (" + maxResultBytes + ")", Map.of("max_result_bytes", maxResultBytes));
        v.put("error", ErrorEnvelope.error(p));
        v.put("http_status", p.status());
        try {
            return new JobRecord(e.id(), e.owner(), replica, "failed", json.writeValueAsString(v));
        } catch (JsonProcessingException ex) {
            throw new IllegalStateException(ex);
        }
    }

    /** The job ended: its final document goes to the store, then the job leaves this replica. */
    private void finish(AsyncJobStore.Entry<ImageResponse> e) {
        if (!e.finished() || !terminal(status(e))) {
            return;     // its outcome is not recorded yet: the next tick comes back to it
        }
        try {
            publish(e);
            local.forget(e.id());
            published.remove(e.id());
        } catch (RuntimeException ex) {
            // kept here and answered from here; the next tick tries again
            LOG.debugf("final document of job %s not published yet: %s", e.id(), ex.getMessage());
        }
    }

    /** Every half second: documents of the jobs here that changed, cancels asked elsewhere, retries of finals. */
    private void tick() {
        for (AsyncJobStore.Entry<ImageResponse> e : local.all()) {
            try {
                if (e.finished()) {
                    finish(e);
                    continue;
                }
                if (!shared.kind().equals("memory") && shared.cancelRequested(e.id())) {
                    e.job().cancel("cancelled by the client");
                }
                publish(e);
            } catch (RuntimeException ex) {
                LOG.debugf("job %s not published: %s", e.id(), ex.getMessage());
            }
        }
    }

    private static ServiceException finished(String id, String status) {
        return new ServiceException(ErrorCode.JOB_FINISHED, "job " + id + " has already finished",
                Map.of("id", id, "status", status));
    }
}
