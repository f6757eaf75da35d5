package io.qwenimage.api;

import io.qwenimage.service.GenerationService;
import io.qwenimage.service.ModelStatus;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.LinkedHashMap;
import java.util.Map;

/** {@code GET /v1/models}: the loaded model, as OpenAI lists models. */
@Path("/v1")
public class OpenAiCatalogResource {

    private final GenerationService service;

    public OpenAiCatalogResource(GenerationService service) {
        this.service = service;
    }

    /** Every model this service serves; any may be named in {@code model}. */
    @GET
    @Path("/models")
    @Produces(MediaType.APPLICATION_JSON)
    public Map<String, Object> models() {
        return Map.of("object", "list", "data", service.models().stream().map(this::model).toList());
    }

    @GET
    @Path("/models/{id}")
    @Produces(MediaType.APPLICATION_JSON)
    public Map<String, Object> model(@PathParam("id") String id) {
        return model(service.modelStatus(id));
    }

    private Map<String, Object> model(ModelStatus m) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("id", m.id());
        v.put("object", "model");
        v.put("created", service.uptime().isNegative() ? 0 : java.time.Instant.now().minus(service.uptime())
                .getEpochSecond());
        v.put("owned_by", "qwen-image-api");
        v.put("state", m.state().label());
        if (m.info() != null) {
            v.put("family", m.info().family());
        }
        return v;
    }
}
