package io.qwenimage.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.qwenimage.config.QwenConfig;
import io.qwenimage.engine.GenerationRequest;
import io.qwenimage.engine.image.GenerationParameters;
import io.qwenimage.engine.model.ModelInfo;
import io.qwenimage.engine.scheduler.SchedulerKind;
import io.qwenimage.errors.ServiceException;
import io.qwenimage.http.GenerationRoute;
import io.qwenimage.security.Callers;
import io.qwenimage.service.CallerModels;
import io.qwenimage.service.GeneratedPictures;
import io.qwenimage.service.GenerationCommand;
import io.qwenimage.service.Generations;
import io.qwenimage.service.PictureIntake;
import io.qwenimage.service.QueuePlace;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * AUTOMATIC1111's {@code POST /sdapi/v1/txt2img} and {@code /img2img}, for Open WebUI, LibreChat and scripts
 * written for A1111. Answers {@code {images, parameters, info}} with {@code info} a JSON string carrying
 * {@code seed}, {@code all_seeds} and {@code infotexts}; a seed of -1 is drawn at random and reported there, while
 * {@code parameters} echoes the request as sent. Same queue, limits, keys and metrics as the native API.
 */
@GenerationRoute
@Path("/sdapi/v1")
public class A1111GenerationResource {

    private final Generations generations;
    private final RequestMapper mapper;
    private final QwenConfig config;
    private final ObjectMapper json;
    private final PictureIntake intake;
    private final CallerModels callerModels;
    private final Callers callers;

    public A1111GenerationResource(Generations generations, RequestMapper mapper, QwenConfig config, ObjectMapper json,
                                   PictureIntake intake, CallerModels callerModels, Callers callers) {
        this.callerModels = callerModels;
        this.callers = callers;
        this.generations = generations;
        this.mapper = mapper;
        this.config = config;
        this.json = json;
        this.intake = intake;
    }

    @POST
    @Path("/txt2img")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<Response> txt2img(A1111Request body) {
        A1111Request r = body == null ? empty() : body;
        return generations.model(checkpoint(r)).flatMap(model ->
                answer(model.id(), null, mapper.textToImage(fields(r, count(r), model), model), r));
    }

    @POST
    @Path("/img2img")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<Response> img2img(A1111Request body) {
        A1111Request r = body == null ? empty() : body;
        if (r.initImages() == null || r.initImages().isEmpty() || r.initImages().get(0) == null) {
            throw ServiceException.invalid("init_images", "init_images needs one base64 picture");
        }
        byte[] bytes = UploadedValues.base64Picture(r.initImages().get(0), "init_images",
                config.server().maxFileSize());
        Integer count = count(r);
        return generations.model(checkpoint(r)).flatMap(model -> intake.withPicture(bytes, (place, input) ->
                answer(model.id(), place, mapper.imageToImage(fields(r, count, model),
                        r.denoisingStrength() == null ? 0.75 : r.denoisingStrength(), input, model), r)));
    }

    /**
     * The model of an A1111 request: {@code override_settings.sd_model_checkpoint}, else the caller's own choice
     * ({@code POST /sdapi/v1/options}), else the default. A checkpoint title's {@code " [hash]"} tail is ignored.
     */
    private String checkpoint(A1111Request r) {
        String wanted = r.checkpoint() != null ? r.checkpoint() : callerModels.of(callers.current().id()).orElse(null);
        return A1111Checkpoints.id(wanted);
    }

    /** {@code place}: the queue place taken before the picture was decoded, or null. */
    private Uni<Response> answer(String model, QueuePlace place, GenerationRequest request, A1111Request original) {
        GenerationCommand command = GenerationCommand.of(model, request, "png", place, null);
        return generations.generate(command).map(pictures -> body(pictures, original));
    }

    /** A1111's {@code {images, parameters, info}}: {@code info} a JSON string, {@code parameters} as sent. */
    private Response body(GeneratedPictures pictures, A1111Request original) {
        GenerationRequest request = pictures.request();
        List<String> images = pictures.pictures().stream().map(b -> Base64.getEncoder().encodeToString(b)).toList();
        List<String> infotexts = IntStream.range(0, pictures.seeds().size()).mapToObj(i ->
                GenerationParameters.format(request, pictures.seeds().get(i), pictures.model())).toList();
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("prompt", request.prompt());
        info.put("all_prompts", images.stream().map(i -> request.prompt()).toList());
        info.put("negative_prompt", request.negativePrompt());
        info.put("seed", pictures.seeds().get(0));
        info.put("all_seeds", pictures.seeds());
        info.put("subseed", -1);
        info.put("width", request.width());
        info.put("height", request.height());
        info.put("sampler_name", GenerationParameters.samplerName(request.scheduler()));
        info.put("steps", request.steps());
        info.put("cfg_scale", request.guidanceScale());
        info.put("batch_size", request.numImages());
        info.put("sd_model_name", pictures.model());
        info.put("job_timestamp", Instant.now().toString());
        info.put("infotexts", infotexts);
        if (request.initImage() != null) {
            info.put("denoising_strength", request.strength());
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("images", images);
        body.put("parameters", json.convertValue(original, Map.class));
        try {
            body.put("info", json.writeValueAsString(info));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        return NativeAnswers.cacheHeader(Response.ok(body).type(MediaType.APPLICATION_JSON), pictures).build();
    }

    /** A1111's fields under our names: {@code cfg_scale} is the guidance, {@code count} the pictures. */
    private static RequestFields fields(A1111Request r, Integer count, ModelInfo model) {
        return new RequestFields(r.prompt(), r.negativePrompt(), r.width(), r.height(), r.steps(),
                Guidance.of(r.cfgScale()), seed(r), count, scheduler(r, model));
    }

    private static A1111Request empty() {
        return new A1111Request(null, null, null, null, null, null, null, null, null, null, null, null, null, null,
                null);
    }

    /** -1 (A1111's "random") and absent are the same: drawn at random, reported in info. */
    private static Long seed(A1111Request r) {
        return r.seed() == null || r.seed() < 0 ? null : r.seed();
    }

    /**
     * batch_size × n_iter pictures, all in one request here; each at least 1 (two negatives would multiply into a
     * positive count), and a product past int's range is refused rather than wrapped into a small one.
     */
    static Integer count(A1111Request r) {
        int batch = r.batchSize() == null ? 1 : r.batchSize();
        int iterations = r.nIter() == null ? 1 : r.nIter();
        if (batch < 1) {
            throw ServiceException.invalid("batch_size", "batch_size must be at least 1, got " + batch);
        }
        if (iterations < 1) {
            throw ServiceException.invalid("n_iter", "n_iter must be at least 1, got " + iterations);
        }
        try {
            return Math.multiplyExact(batch, iterations);
        } catch (ArithmeticException e) {
            throw ServiceException.invalid("batch_size", "batch_size x n_iter (" + batch + " x " + iterations
                    + ") is more pictures than can be counted");
        }
    }

    private static String scheduler(A1111Request r, ModelInfo model) {
        String name = A1111Samplers.apiName(r.samplerName() != null ? r.samplerName() : r.samplerIndex(),
                r.scheduler());
        // Forge and ComfyUI call flow-matching Euler "Euler": on a flow-matching model that is what it means
        boolean flow = model.scheduler().flow() != null;
        return flow && SchedulerKind.EULER.apiName().equals(name) ? SchedulerKind.FLOW_MATCH_EULER.apiName() : name;
    }
}
