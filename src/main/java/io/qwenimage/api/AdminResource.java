package io.qwenimage.api;

import io.qwenimage.config.QwenConfig;
import io.qwenimage.engine.model.ModelInfo;
import io.qwenimage.security.AdminRoute;
import io.qwenimage.security.ApiKey;
import io.qwenimage.security.ApiKeyScope;
import io.qwenimage.security.ApiKeyStore;
import io.qwenimage.service.GenerationService;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code /admin/*}: routes for operators, open only to keys with the {@code admin} scope (without keys, only to
 * local callers). Never shows a key, only ids, names and scopes.
 */
@Path("/admin")
@AdminRoute
public class AdminResource {

    private final ApiKeyStore keys;
    private final QwenConfig config;
    private final GenerationService service;

    public AdminResource(ApiKeyStore keys, QwenConfig config, GenerationService service) {
        this.keys = keys;
        this.config = config;
        this.service = service;
    }

    /** Where the model was loaded from: the public /info leaves the file system out. */
    @GET
    @Path("/model")
    @Produces(MediaType.APPLICATION_JSON)
    public Map<String, Object> model() {
        ModelInfo m = service.modelInfo();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("name", m == null ? null : m.id());
        out.put("loaded", service.isStarted());
        out.put("path", config.model().path().filter(p -> !p.isBlank()).orElse("(bundled demo model)"));
        out.put("failure", service.failure());
        return out;
    }

    /** The keys in force, e.g. to check that a rotation has been picked up. */
    @GET
    @Path("/keys")
    @Produces(MediaType.APPLICATION_JSON)
    public Map<String, Object> keys() {
        List<Map<String, Object>> list = keys.keys().all().stream()
                .map(AdminResource::describe).toList();
        return Map.of("auth_enabled", !list.isEmpty(), "keys", list);
    }

    private static Map<String, Object> describe(ApiKey k) {
        return Map.of("id", k.id(), "name", k.name(),
                "scopes", k.scopes().stream().map(ApiKeyScope::role).sorted().toList());
    }
}
