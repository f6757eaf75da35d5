package io.qwenimage.api;

import io.qwenimage.config.QwenConfig;
import io.qwenimage.jobs.AsyncJobStore;
import io.qwenimage.jobs.Job;
import io.qwenimage.jobs.JobState;
import io.qwenimage.service.GenerationService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.Response;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The asynchronous side of generation: jobs kept for their owner in an {@link AsyncJobStore}, and the status
 * document clients poll or stream ({@code GET /jobs/{id}}, {@code /events}).
 */
@ApplicationScoped
public class AsyncGenerations {

    private final AsyncJobStore<ImageResponse> store;
    private final GenerationService service;
    private final ErrorMapper errors = new ErrorMapper();

    public AsyncGenerations(QwenConfig config, GenerationService service) {
        this.store = new AsyncJobStore<>(config.jobs().resultTtl(), config.jobs().maxResultBytes());
        this.service = service;
    }

    AsyncJobStore<ImageResponse> store() {
        return store;
    }

    /** The job if {@code owner} may see it. */
    public Optional<AsyncJobStore.Entry<ImageResponse>> find(String id, String owner) {
        return store.get(id, owner);
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

    /** The status document: what {@code GET /jobs/{id}} answers and each event of the stream carries. */
    public Map<String, Object> view(AsyncJobStore.Entry<ImageResponse> e) {
        Map<String, Object> v = new LinkedHashMap<>();
        String status = status(e);
        Job<ImageResponse> job = e.job();
        v.put("id", e.id());
        v.put("status", status);
        v.put("created", e.created().toString());
        v.put("status_url", "/jobs/" + e.id());
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
            v.put("result", e.result());
        }
        if (status.equals("failed") || status.equals("cancelled")) {
            Throwable failure = e.failure();
            if (failure != null) {
                Response r = errors.of(failure);
                v.put("error", ((ErrorEnvelope) r.getEntity()).error());
                v.put("http_status", r.getStatus());
            }
        }
        return v;
    }

    /** The answer a failure gives: for the metrics and audit of a job that ended after its request. */
    Response failureResponse(Throwable failure) {
        return errors.of(failure);
    }
}
