package io.qwenimage.service;

import io.qwenimage.config.QwenConfig;
import io.qwenimage.jobs.DeadlineExceededException;
import io.qwenimage.jobs.Job;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;

/**
 * The request deadline ({@code qwen.server.request-timeout}) on waiting for a job: its result, or a
 * {@link DeadlineExceededException} once the deadline passes (the caller cancels the job then). Either comes back
 * in the caller's Vert.x context (the request's event loop), as the result is made on the worker. A timer and one
 * hop, no more: a fault-tolerance interceptor here cost about 40 µs of event-loop time per request (bench/README.md
 * § 8) for the same behaviour.
 */
@ApplicationScoped
public class JobDeadline {

    private final Duration timeout;

    public JobDeadline(QwenConfig config) {
        this.timeout = config.server().requestTimeout();
    }

    /** The job's result, or a {@code DeadlineExceededException} once the deadline passes. */
    public <T> Uni<T> await(Job<T> job) {
        Context context = Vertx.currentContext();
        Uni<T> result = Uni.createFrom().completionStage(job.result())
                .ifNoItem().after(timeout).failWith(() -> new DeadlineExceededException(timeout));
        if (context == null) {
            return result;
        }
        return result.emitOn(command -> context.runOnContext(v -> command.run()));
    }
}
