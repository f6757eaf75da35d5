package io.qwenimage.api;

import io.qwenimage.jobs.Job;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.temporal.ChronoUnit;
import org.eclipse.microprofile.faulttolerance.Timeout;

/**
 * The request deadline, as SmallRye Fault Tolerance's timeout on waiting for a job. Its value comes from
 * {@code qwen.server.request-timeout} through FT's own config keys (application.properties:
 * {@code io.qwenimage.api.JobDeadline/await/Timeout/value}). The caller cancels the job when the timeout fires.
 */
@ApplicationScoped
public class JobDeadline {

    /** The job's result, or a {@code TimeoutException} once the deadline passes. */
    @Timeout(value = 300, unit = ChronoUnit.SECONDS)
    public <T> Uni<T> await(Job<T> job) {
        return Uni.createFrom().completionStage(job.result());
    }
}
