package io.qwenimage.api;

import io.qwenimage.engine.image.GenerationParameters;
import io.qwenimage.engine.model.ModelInfo;
import io.qwenimage.engine.scheduler.SchedulerKind;
import io.qwenimage.errors.ServiceException;
import io.qwenimage.security.Callers;
import io.qwenimage.service.CallerModels;
import io.qwenimage.service.CallerProgress;
import io.qwenimage.service.GenerationService;
import io.qwenimage.service.Generations;
import io.qwenimage.service.Upscalers;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * AUTOMATIC1111's informational and control routes: samplers, models, options, progress and interrupt. Unlike
 * A1111, options (the model), progress and interrupt concern the caller's own generations only.
 */
@Path("/sdapi/v1")
@Produces(MediaType.APPLICATION_JSON)
public class A1111InfoResource {

    private final GenerationService service;
    private final Generations generations;
    private final CallerModels callerModels;
    private final Callers callers;
    private final Upscalers upscalers;

    public A1111InfoResource(GenerationService service, Generations generations, CallerModels callerModels,
                             Callers callers, Upscalers upscalers) {
        this.upscalers = upscalers;
        this.service = service;
        this.generations = generations;
        this.callerModels = callerModels;
        this.callers = callers;
    }

    /** The plain resizes and this service's upscaler (extras' {@code upscaler_1}, txt2img's {@code hr_upscaler}). */
    @GET
    @Path("/upscalers")
    public List<Map<String, Object>> upscalers() {
        return A1111Upscalers.list(upscalers.enabled() ? upscalers.info() : null);
    }

    @GET
    @Path("/samplers")
    public List<Map<String, Object>> samplers() {
        ModelInfo m = service.modelInfo();
        return (m == null ? Arrays.asList(SchedulerKind.values()) : m.schedulers()).stream().map(k -> Map.<String, Object>of(
                "name", GenerationParameters.samplerName(k), "aliases", List.of(k.apiName()), "options", Map.of()))
                .toList();
    }

    /** Every model this service serves (any may be chosen per request), loaded or not. */
    @GET
    @Path("/sd-models")
    public List<Map<String, Object>> models() {
        return service.models().stream().map(m -> {
            Map<String, Object> v = new LinkedHashMap<>();
            v.put("title", m.id());
            v.put("model_name", m.id());
            v.put("hash", null);
            v.put("sha256", null);
            v.put("filename", m.id());
            v.put("config", null);
            return v;
        }).toList();
    }

    /** The caller's options: {@code sd_model_checkpoint} is its own default model (the service's until it sets one). */
    @GET
    @Path("/options")
    public Map<String, Object> options() {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("sd_model_checkpoint", callerModels.of(callers.current().id()).orElseGet(service::defaultModelId));
        v.put("samples_format", "png");
        return v;
    }

    /**
     * Sets the caller's own default model (A1111 would switch it for everyone: here no other caller's requests
     * change). An unknown checkpoint is 404 listing the models.
     */
    @POST
    @Path("/options")
    @Consumes(MediaType.APPLICATION_JSON)
    public Map<String, Object> setOptions(Map<String, Object> body) {
        Object wanted = body == null ? null : body.get("sd_model_checkpoint");
        Object format = body == null ? null : body.get("samples_format");
        if (format != null && !format.toString().equalsIgnoreCase("png")) {
            throw ServiceException.invalid("samples_format", "samples_format png is the only one here");
        }
        if (wanted != null) {
            String id = A1111Checkpoints.id(wanted.toString());
            callerModels.choose(callers.current().id(), service.modelStatus(id).id());
        }
        return options();
    }

    /**
     * The caller's current generation: fraction done, ETA, steps, and unless {@code skip_current_image} its live
     * preview as base64 PNG (asking starts previews for that generation, so the first poll has none yet).
     */
    @GET
    @Path("/progress")
    public Map<String, Object> progress(@QueryParam("skip_current_image") @DefaultValue("false") boolean skipImage) {
        CallerProgress current = generations.progress(!skipImage);
        Map<String, Object> state = new LinkedHashMap<>();
        state.put("job_count", current.jobCount());
        state.put("sampling_step", current.step());
        state.put("sampling_steps", current.totalSteps());
        state.put("interrupted", false);
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("progress", current.fraction());
        v.put("eta_relative", current.etaSeconds());
        v.put("state", state);
        v.put("current_image", current.preview());
        v.put("textinfo", current.state());
        return v;
    }

    /** Stops the caller's queued and running generations (a running one within one step). */
    @POST
    @Path("/interrupt")
    public Map<String, Object> interrupt() {
        return Map.of("interrupted", generations.interrupt());
    }
}
