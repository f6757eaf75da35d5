package io.qwenimage.service;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.util.ByteBufferBackedInputStream;
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
import io.qwenimage.jobs.SubscriberLimits;
import io.qwenimage.store.SharedState;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
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
class AsyncGenerations {

    private static final Logger LOG = Logger.getLogger(AsyncGenerations.class);

    private final AsyncJobStore<ImageResponse> local;
    private final JobStore shared;
    private final String replica;
    private final GenerationService service;
    private final ObjectMapper json;
    private final Duration resultTtl;
    private final Duration liveTtl;
    private final long maxResultBytes;
    private final SubscriberLimits subscribers;
    private final Map<String, String> published = new ConcurrentHashMap<>();
    private final ScheduledExecutorService publisher = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "qwen-job-publisher");
        t.setDaemon(true);
        return t;
    });

    AsyncGenerations(QwenConfig config, GenerationService service, SharedState state, ObjectMapper json) {
        // a long backstop: jobs leave this store as soon as their final document is published
        this.local = new AsyncJobStore<>(config.jobs().resultTtl(), config.jobs().maxResultBytes());
        this.shared = state.jobs();
        this.replica = state.replica();
        this.service = service;
        this.json = json;
        this.resultTtl = config.jobs().resultTtl();
        this.liveTtl = config.server().requestTimeout().plus(config.jobs().resultTtl());
        this.maxResultBytes = config.jobs().maxResultBytes();
        this.subscribers = new SubscriberLimits(config.jobs().eventsMaxSubscribersPerJob(),
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
    JobStatus submit(String owner, String idempotencyKey, Supplier<Job<ImageResponse>> submit) {
        boolean keyed = idempotencyKey != null && !idempotencyKey.isBlank();
        if (keyed) {
            Optional<JobStatus> replayed = replayed(owner, idempotencyKey);
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
                    Optional<JobStatus> theirs = stored(earlier.get(), owner);
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
    Optional<JobStatus> status(String id, String owner) {
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
    Optional<JobStatus> cancel(String id, String owner) {
        Optional<AsyncJobStore.Entry<ImageResponse>> here = local.get(id, owner);
        if (here.isPresent()) {
            AsyncJobStore.Entry<ImageResponse> e = here.get();
            String status = status(e);
            if (JobStatus.terminal(status)) {
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

    /** The status document of a job running here. */
    JobStatus view(AsyncJobStore.Entry<ImageResponse> e) {
        String status = status(e);
        Job<ImageResponse> job = e.job();
        Integer position = null;
        Double eta = null;
        Integer step = null;
        Integer totalSteps = null;
        if (status.equals("queued") && service.queue() != null) {
            position = service.queue().position(job);
            eta = Math.round(position * service.queue().meanServiceSeconds()
                    / Math.max(1, service.queue().running()) * 10) / 10.0;
        }
        if (status.equals("running")) {
            step = job.step();
            totalSteps = job.totalSteps();
            double running = job.etaSeconds();
            eta = running >= 0 ? Math.round(running * 10) / 10.0 : null;
        }
        if (status.equals("succeeded") && job.totalSteps() > 0) {
            totalSteps = job.totalSteps();     // the steps it ran (image-to-image: fewer than asked)
        }
        ErrorEnvelope.Error error = null;
        Integer httpStatus = null;
        if ((status.equals("failed") || status.equals("cancelled")) && e.failure() != null) {
            Problem p = ErrorCatalogue.problemOf(e.failure());
            error = ErrorEnvelope.error(p);
            httpStatus = p.status();
        }
        return new JobStatus(e.id(), status, e.created().toString(), "/jobs/" + e.id(), replica, position, eta, step,
                totalSteps, status.equals("succeeded") ? e.result() : null, error, httpStatus);
    }

    /** The caps on open progress streams. */
    SubscriberLimits subscribers() {
        return subscribers;
    }

    /** The document of the job {@code owner}'s key is bound to: live here, or its record in the store. */
    private Optional<JobStatus> replayed(String owner, String idempotencyKey) {
        return shared.boundJob(owner, idempotencyKey)
                .flatMap(id -> local.get(id, owner).map(this::view).or(() -> stored(id, owner)));
    }

    private Optional<JobStatus> stored(String id, String owner) {
        return shared.find(id).filter(r -> r.owner().equals(owner)).map(this::parse);
    }

    private JobStatus parse(JobRecord record) {
        try {
            return json.readValue(new ByteBufferBackedInputStream(record.document().view()), JobStatus.class);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("unreadable job document " + record.id(), e);
        }
    }

    /**
     * Job {@code id} as its reader gets it: the live document of a job running here, or the stored record.
     *
     * @throws ServiceException 410 {@code JOB_EXPIRED} when it was {@code owner}'s and its record is gone
     */
    Optional<JobAnswer> answer(String id, String owner) {
        Optional<AsyncJobStore.Entry<ImageResponse>> here = local.get(id, owner);
        if (here.isPresent()) {
            return Optional.of(JobAnswer.live(view(here.get())));
        }
        return orExpired(shared.find(id).filter(r -> r.owner().equals(owner)), id, owner).map(JobAnswer::stored);
    }

    /** Caller {@code owner}'s job {@code id} when it is on this replica (previews exist only where a job runs). */
    Optional<Job<ImageResponse>> localJob(String id, String owner) {
        return local.get(id, owner).map(AsyncJobStore.Entry::job);
    }

    /** The document of {@code answer}: the live one, or the stored one parsed (small while the job runs). */
    JobStatus document(JobAnswer answer) {
        return answer.isStored() ? parse(answer.record()) : answer.live();
    }

    /** Saves the job's document if it changed since the last save. */
    private void publish(AsyncJobStore.Entry<ImageResponse> e) {
        JobStatus view = view(e);
        String status = view.status();
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
        Problem p = ErrorCode.RESULT_TOO_LARGE.problem("the pictures (" + record.bytes() + " bytes) exceed "
                + "qwen.jobs.max-result-bytes (" + maxResultBytes + ")", Map.of("max_result_bytes", maxResultBytes));
        try {
            return new JobRecord(e.id(), e.owner(), replica, "failed", json.writeValueAsString(
                    parse(record).failedWith(ErrorEnvelope.error(p), p.status())));
        } catch (JsonProcessingException ex) {
            throw new IllegalStateException(ex);
        }
    }

    /** The job ended: its final document goes to the store, then the job leaves this replica. */
    private void finish(AsyncJobStore.Entry<ImageResponse> e) {
        if (!e.finished() || !JobStatus.terminal(status(e))) {
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
