package io.qwenimage.health;

import io.qwenimage.config.QwenConfig;
import io.qwenimage.service.GenerationService;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;

/** Live unless a worker has been inside one denoising step longer than the stall threshold. Never blocks. */
@Liveness
@ApplicationScoped
public class WorkerLivenessCheck implements HealthCheck {

    private final GenerationService service;
    private final QwenConfig config;

    public WorkerLivenessCheck(GenerationService service, QwenConfig config) {
        this.service = service;
        this.config = config;
    }

    @Override
    public HealthCheckResponse call() {
        var queue = service.queue();
        Duration longest = queue == null ? Duration.ZERO : queue.longestStepInFlight();
        return HealthCheckResponse.named("workers")
                .status(longest.compareTo(config.queue().stallThreshold()) <= 0)
                .withData("longest_step_ms", longest.toMillis()).build();
    }
}
