package io.qwenimage.api;

import io.micrometer.prometheus.PrometheusMeterRegistry;
import io.prometheus.client.exporter.common.TextFormat;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Response;

/**
 * {@code GET /metrics}: the same scrape as {@code /q/metrics}, where the seed's Prometheus configuration looks.
 * OpenMetrics when the scraper asks for it, the Prometheus text format 0.0.4 otherwise.
 */
@Path("/metrics")
public class MetricsResource {

    private final PrometheusMeterRegistry registry;

    public MetricsResource(PrometheusMeterRegistry registry) {
        this.registry = registry;
    }

    @GET
    public Response scrape(@HeaderParam("Accept") String accept) {
        String type = accept != null && accept.contains("application/openmetrics-text")
                ? TextFormat.CONTENT_TYPE_OPENMETRICS_100 : TextFormat.CONTENT_TYPE_004;
        return Response.ok(registry.scrape(type)).header("Content-Type", type).build();
    }
}
