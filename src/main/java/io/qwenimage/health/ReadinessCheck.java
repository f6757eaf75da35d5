package io.qwenimage.health;

import io.qwenimage.service.GenerationService;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready when started and not draining for shutdown. */
@Readiness
@ApplicationScoped
public class ReadinessCheck implements HealthCheck {

    private final GenerationService service;

    public ReadinessCheck(GenerationService service) {
        this.service = service;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("generation").status(service.isReady())
                .withData("started", service.isStarted()).withData("draining", service.isDraining()).build();
    }
}
