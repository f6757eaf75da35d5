package io.qwenimage.api;

import io.qwenimage.config.QwenConfig;
import io.qwenimage.engine.model.ModelFamily;
import io.qwenimage.engine.model.ModelInfo;
import io.qwenimage.engine.scheduler.SchedulerKind;
import io.qwenimage.service.GenerationService;
import io.qwenimage.service.ModelEntry;
import io.qwenimage.service.ModelState;
import io.qwenimage.service.ModelStatus;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * GET /info: the seed's fields plus what a client needs to build valid requests, for the default model or, with
 * {@code ?model=id}, for that one (its family's controls and schedulers; null while it has never been loaded).
 */
@Path("/info")
public class InfoResource {

    private final GenerationService service;
    private final QwenConfig config;

    public InfoResource(GenerationService service, QwenConfig config) {
        this.service = service;
        this.config = config;
    }

    /** One model in the public listing: what a client needs to choose it; no file paths, no load errors. */
    static Map<String, Object> listed(ModelStatus s) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("id", s.id());
        v.put("state", s.state().label());
        v.put("default", s.isDefault());
        v.put("load_at_start", s.entry().loadAtStart());
        ModelInfo m = s.info();
        v.put("family", m == null ? null : m.family());
        v.put("pipeline", m == null ? null : m.pipeline().id());
        v.put("native_size", m == null ? null : m.nativeSize());
        v.put("image_to_image", m == null ? null : m.imageToImage());
        v.put("size_multiple", m == null ? null : Math.max(1, m.pipeline().sizeMultiple()));
        return v;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public Map<String, Object> info(@QueryParam("model") String chosen) {
        boolean named = chosen != null && !chosen.isBlank();
        // 404 MODEL_NOT_FOUND, listing the ids, for a model not configured
        ModelStatus status = named ? service.modelStatus(chosen) : null;
        ModelInfo m = named ? status.info() : service.modelInfo();
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("name", named ? status.id() : m == null ? null : m.id());
        model.put("loaded", named ? status.state() == ModelState.READY : service.isStarted());
        model.put("family", m == null ? null : m.family());
        model.put("pipeline", m == null ? null : m.pipeline().id());
        model.put("dtype", m == null ? null : m.dtype());
        model.put("prediction_type", m == null ? null : m.predictionType());
        model.put("native_size", m == null ? null : m.nativeSize());
        model.put("image_to_image", m != null && m.imageToImage());
        if (m != null) {
            boolean qwen = m.pipeline() == ModelFamily.QWEN_IMAGE;
            boolean flux = m.pipeline() == ModelFamily.FLUX;
            // what the web page and other clients need to build a valid request for this family: FLUX.1-dev's
            // guidance_scale is an input of the distilled model (one pass), schnell takes none
            model.put("size_multiple", Math.max(1, m.pipeline().sizeMultiple()));
            model.put("guidance", Map.of("parameter", qwen ? "true_cfg_scale" : "guidance_scale",
                    "default", RequestMapper.defaultGuidance(m, service.entry(m.id()), config),
                    "kind", qwen ? "true_cfg" : !flux ? "cfg" : m.guidanceEmbedding() ? "distilled" : "none"));
            model.put("default_steps", RequestMapper.defaultSteps(m, service.entry(m.id()), config));
        }
        model.put("device", service.executionProvider());
        QwenConfig.Limits l = config.limits();
        Map<String, Object> limits = new LinkedHashMap<>();
        limits.put("min_size", l.minSize());
        limits.put("max_width", l.maxWidth());
        limits.put("max_height", l.maxHeight());
        limits.put("max_pixels", l.maxPixels());
        limits.put("max_steps", l.maxSteps());
        limits.put("max_num_images", l.maxNumImages());
        limits.put("max_prompt_length", l.maxPromptLength());
        limits.put("max_file_size", config.server().maxFileSize());
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("service_name", "qwen-image-api-service");
        out.put("version", "1.0.0");
        out.put("model_info", model);
        out.put("default_model", service.defaultModelId());
        out.put("models", service.models().stream().map(InfoResource::listed).toList());
        out.put("schedulers", (m == null ? Arrays.asList(SchedulerKind.values()) : m.schedulers()).stream()
                .map(SchedulerKind::apiName).toList());
        // the model entry's own defaults (qwen.models.entries.<id>.*) before the service's, as requests get them
        ModelEntry entry = m == null ? null : service.entry(m.id());
        SchedulerKind configured = SchedulerKind.fromApiName(entry == null ? config.generation().scheduler()
                : entry.scheduler().orElse(config.generation().scheduler()));
        out.put("default_scheduler", (m == null ? configured : m.defaultScheduler(configured)).apiName());
        out.put("limits", limits);
        out.put("queue", Map.of("workers", config.queue().workers(), "capacity", config.queue().capacity(),
                "timeout_seconds", config.queue().timeout().toSeconds(),
                "request_timeout_seconds", config.server().requestTimeout().toSeconds()));
        out.put("supported_formats", List.of("PNG", "JPEG", "WEBP", "BMP", "GIF"));
        out.put("output_formats", List.of("png", "jpeg"));
        out.put("api_endpoints", List.of("/text-to-image", "/image-to-image", "/health", "/info"));
        return out;
    }
}
