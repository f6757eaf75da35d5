package io.qwenimage.service;

import io.qwenimage.jobs.Job;
import io.smallrye.common.annotation.NonBlocking;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.temporal.ChronoUnit;
import org.eclipse.microprofile.faulttolerance.Timeout;

/**
 * The request deadline, as SmallRye Fault Tolerance's timeout on waiting for a job. Its value comes from
 * {@code qwen.server.request-timeout} through FT's own config keys (application.properties:
 * {@code io.qwenimage.service.JobDeadline/await/Timeout/value}). The caller cancels the job when the timeout fires.
 */
@ApplicationScoped
public class JobDeadline {

    /** The job's result, or a {@code TimeoutException} once the deadline passes. */
    @Timeout(value = 300, unit = ChronoUnit.SECONDS)
    @NonBlocking // waiting on a future blocks nothing: without this FT would hop to a worker thread and back
    public <T> Uni<T> await(Job<T> job) {
        return Uni.createFrom().completionStage(job.result());
    }
}
