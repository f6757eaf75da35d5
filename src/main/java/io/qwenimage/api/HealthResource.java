package io.qwenimage.api;

import io.qwenimage.service.GenerationService;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * GET /health: 200 only when ready to generate, 503 while starting, draining or broken (the seed always said
 * 200); the body keeps the seed's fields.
 */
@Path("/health")
public class HealthResource {

    private final GenerationService service;

    public HealthResource(GenerationService service) {
        this.service = service;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public Response health() {
        boolean ready = service.isReady();
        String status = ready ? "UP" : service.failure() != null ? "unhealthy" : service.isDraining() ? "draining"
                : "starting";
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", status);
        body.put("model_loaded", service.isStarted());
        body.put("uptime", service.uptime().toMillis() / 1000.0);
        body.put("timestamp", Instant.now().toString());
        var queue = service.queue();
        body.put("queue", Map.of("queued", queue == null ? 0 : queue.queued(),
                "running", queue == null ? 0 : queue.running()));
        if (service.failure() != null) {
            body.put("error", service.failure());
        }
        return Response.status(ready ? 200 : 503).entity(body).build();
    }
}
