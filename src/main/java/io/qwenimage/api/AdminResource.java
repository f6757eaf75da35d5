package io.qwenimage.api;

import io.qwenimage.config.QwenConfig;
import io.qwenimage.engine.model.ModelInfo;
import io.qwenimage.security.AdminRoute;
import io.qwenimage.security.ApiKey;
import io.qwenimage.security.ApiKeyScope;
import io.qwenimage.security.ApiKeyStore;
import io.qwenimage.service.GenerationService;
import io.qwenimage.service.ModelStatus;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
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

    /** Where the default model was loaded from: the public /info leaves the file system out. */
    @GET
    @Path("/model")
    @Produces(MediaType.APPLICATION_JSON)
    public Map<String, Object> model() {
        ModelInfo m = service.modelInfo();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("name", m == null ? null : m.id());
        out.put("loaded", service.isStarted());
        out.put("path", service.entry(service.defaultModelId()).source());
        out.put("failure", service.failure());
        return out;
    }

    /** Every model with where it comes from, its state, its jobs and why its last load failed. */
    @GET
    @Path("/models")
    @Produces(MediaType.APPLICATION_JSON)
    public Map<String, Object> models() {
        return Map.of("max_loaded", config.models().maxLoaded(), "models",
                service.models().stream().map(AdminResource::detailed).toList());
    }

    /** Loads model {@code id} (unloading the least recently used idle one if the budget is spent). */
    @POST
    @Path("/models/{id}/load")
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<Map<String, Object>> load(@PathParam("id") String id) {
        return Uni.createFrom().completionStage(() -> service.loadModel(id))
                .map(info -> detailed(service.modelStatus(id)));
    }

    /** Unloads model {@code id}; 409 {@code MODEL_BUSY} while generations hold it or it is loading. */
    @POST
    @Path("/models/{id}/unload")
    @Produces(MediaType.APPLICATION_JSON)
    public Map<String, Object> unload(@PathParam("id") String id) {
        return detailed(service.unloadModel(id));
    }

    /** Adds the model folders put under {@code qwen.models.dir} since the start (not loaded until asked for). */
    @POST
    @Path("/models/rescan")
    @Produces(MediaType.APPLICATION_JSON)
    public Map<String, Object> rescan() {
        return Map.of("added", service.rescanModels(), "models", service.models().stream()
                .map(ModelStatus::id).toList());
    }

    private static Map<String, Object> detailed(ModelStatus s) {
        Map<String, Object> v = new LinkedHashMap<>(InfoResource.listed(s));
        v.put("path", s.entry().source());
        v.put("active_jobs", s.activeJobs());
        v.put("failure", s.failure());
        return v;
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
