package io.qwenimage.api;

import io.micrometer.prometheus.PrometheusMeterRegistry;
import io.prometheus.client.exporter.common.TextFormat;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Response;

/**
 * {@code GET /metrics}: the same series as {@code /q/metrics}, where the seed's Prometheus configuration looks,
 * always in the Prometheus text format 0.0.4. {@code /q/metrics} answers OpenMetrics to a scraper that asks for it,
 * with trace exemplars on histogram counts, which Prometheus before 2.43 (Debian 12's 2.42, for one) rejects with
 * the whole scrape; the text format has no exemplars, so every Prometheus can read this one.
 */
@Path("/metrics")
public class MetricsResource {

    private final PrometheusMeterRegistry registry;

    public MetricsResource(PrometheusMeterRegistry registry) {
        this.registry = registry;
    }

    @GET
    public Response scrape() {
        return Response.ok(registry.scrape(TextFormat.CONTENT_TYPE_004))
                .header("Content-Type", TextFormat.CONTENT_TYPE_004).build();
    }
}
