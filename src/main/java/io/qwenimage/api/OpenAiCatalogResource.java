package io.qwenimage.api;

import io.qwenimage.engine.model.ModelInfo;
import io.qwenimage.errors.ErrorCode;
import io.qwenimage.errors.ServiceException;
import io.qwenimage.service.GenerationService;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code GET /v1/models}: the loaded model, as OpenAI lists models. */
@Path("/v1")
public class OpenAiCatalogResource {

    private final GenerationService service;

    public OpenAiCatalogResource(GenerationService service) {
        this.service = service;
    }

    @GET
    @Path("/models")
    @Produces(MediaType.APPLICATION_JSON)
    public Map<String, Object> models() {
        ModelInfo m = service.modelInfo();
        return Map.of("object", "list", "data", m == null ? List.of() : List.of(model(m)));
    }

    @GET
    @Path("/models/{id}")
    @Produces(MediaType.APPLICATION_JSON)
    public Map<String, Object> model(@PathParam("id") String id) {
        ModelInfo m = service.modelInfo();
        if (m == null || !m.id().equals(id)) {
            throw new ServiceException(ErrorCode.MODEL_NOT_FOUND, "no model '" + id + "' is loaded",
                    Map.of("field", "model"));
        }
        return model(m);
    }

    private Map<String, Object> model(ModelInfo m) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("id", m.id());
        v.put("object", "model");
        v.put("created", service.uptime().isNegative() ? 0 : java.time.Instant.now().minus(service.uptime())
                .getEpochSecond());
        v.put("owned_by", "qwen-image-api");
        return v;
    }
}
