package io.qwenimage.health;

import io.qwenimage.service.GenerationService;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Startup;

/** Started once the model is loaded and one warm-up generation has run. */
@Startup
@ApplicationScoped
public class ModelStartupCheck implements HealthCheck {

    private final GenerationService service;

    public ModelStartupCheck(GenerationService service) {
        this.service = service;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("model").status(service.isStarted())
                .withData("failure", String.valueOf(service.failure())).build();
    }
}
