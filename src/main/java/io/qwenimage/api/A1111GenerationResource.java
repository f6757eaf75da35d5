package io.qwenimage.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.qwenimage.config.QwenConfig;
import io.qwenimage.engine.GenerationRequest;
import io.qwenimage.engine.InpaintMask;
import io.qwenimage.engine.RgbImage;
import io.qwenimage.engine.image.GenerationParameters;
import io.qwenimage.engine.image.ImageCodec;
import io.qwenimage.engine.model.ModelInfo;
import io.qwenimage.engine.scheduler.SchedulerKind;
import io.qwenimage.errors.ServiceException;
import io.qwenimage.http.GenerationRoute;
import io.qwenimage.security.Callers;
import io.qwenimage.service.CallerModels;
import io.qwenimage.service.GeneratedPictures;
import io.qwenimage.service.GenerationCommand;
import io.qwenimage.service.Generations;
import io.qwenimage.service.PictureFinish;
import io.qwenimage.service.Upscalers;
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
    private final Upscalers upscalers;

    public A1111GenerationResource(Generations generations, RequestMapper mapper, QwenConfig config, ObjectMapper json,
                                   PictureIntake intake, CallerModels callerModels, Callers callers,
                                   Upscalers upscalers) {
        this.upscalers = upscalers;
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
        return generations.model(checkpoint(r)).flatMap(model -> {
            GenerationRequest request = mapper.textToImage(fields(r, count(r), model), model);
            PictureFinish finish = Boolean.TRUE.equals(r.enableHr()) ? hires(r, request, model) : PictureFinish.NONE;
            return answer(model.id(), null, request, r, finish);
        });
    }

    /**
     * A1111's hires fix: the size {@code hr_resize_x}/{@code hr_resize_y} or {@code hr_scale} (default 2) times the
     * first pass, down to the model's size multiple; the upscaler {@code hr_upscaler} (A1111's default "Latent" is a
     * bicubic resize here); {@code hr_second_pass_steps} (0 or absent: the first pass's); {@code denoising_strength}
     * (default 0.7). The larger size is held to the same limits as any request, before anything runs.
     */
    private PictureFinish hires(A1111Request r, GenerationRequest first, ModelInfo model) {
        double scale = r.hrScale() == null ? 2.0 : r.hrScale();
        if (!(scale >= 1 && scale <= 8)) {
            throw ServiceException.invalid("hr_scale", "hr_scale must be between 1 and 8, got " + scale);
        }
        int multiple = model.pipeline().sizeMultiple();
        int x = r.hrResizeX() != null && r.hrResizeX() > 0 ? r.hrResizeX() : (int) (first.width() * scale);
        int y = r.hrResizeY() != null && r.hrResizeY() > 0 ? r.hrResizeY() : (int) (first.height() * scale);
        if (r.hrResizeX() != null && r.hrResizeX() > 0 && (r.hrResizeY() == null || r.hrResizeY() <= 0)) {
            y = (int) Math.round((double) x * first.height() / first.width());
        } else if (r.hrResizeY() != null && r.hrResizeY() > 0 && (r.hrResizeX() == null || r.hrResizeX() <= 0)) {
            x = (int) Math.round((double) y * first.width() / first.height());
        }
        x = x / multiple * multiple;
        y = y / multiple * multiple;
        int steps = r.hrSecondPassSteps() == null || r.hrSecondPassSteps() == 0 ? first.steps()
                : r.hrSecondPassSteps();
        double strength = r.denoisingStrength() == null ? 0.7 : r.denoisingStrength();
        // the second pass is an image-to-image request of its own: the same limits (size, pixels, steps, strength)
        mapper.textToImage(new RequestFields(r.prompt(), r.negativePrompt(), x, y, steps, Guidance.of(r.cfgScale()),
                0L, first.numImages(), first.scheduler().apiName()), model);
        if (!(strength > 0 && strength <= 1)) {
            throw ServiceException.invalid("denoising_strength", "denoising_strength must be more than 0 and at "
                    + "most 1 for the hires fix, got " + strength);
        }
        boolean byModel = A1111Upscalers.byModel(r.hrUpscaler(), upscalers.enabled() ? upscalers.info() : null,
                "hr_upscaler");
        if (byModel) {
            upscalers.check(first.width(), first.height(), Math.max(1.0001,
                    Math.max((double) x / first.width(), (double) y / first.height())), "hr_scale");
        }
        return new PictureFinish(0, new PictureFinish.HiresFix(x, y, steps, strength, byModel));
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
        byte[] mask = r.mask() == null || r.mask().isBlank() ? null
                : UploadedValues.base64Picture(r.mask(), "mask", config.server().maxFileSize());
        InpaintMask.Fill fill = mask == null ? null : fill(r);
        Integer count = count(r);
        double strength = r.denoisingStrength() == null ? 0.75 : r.denoisingStrength();
        return generations.model(checkpoint(r)).flatMap(model -> intake.withPictures(bytes, mask,
                ImageCodec.MaskReading.LUMINANCE, (place, uploads) -> {
                    RequestFields fields = fields(r, count, model);
                    if (uploads.mask() == null) {
                        return answer(model.id(), place, mapper.imageToImage(fields, strength, uploads.image(),
                                model), r, PictureFinish.NONE);
                    }
                    InpaintMask edit = a1111Mask(uploads.mask(), r, fill);
                    if (!Boolean.TRUE.equals(r.inpaintFullRes())) {
                        return answer(model.id(), place, mapper.inpaint(fields, strength, uploads.image(), edit,
                                model), r, PictureFinish.NONE);
                    }
                    return onlyMasked(model, place, fields, strength, uploads.image(), edit, r);
                }));
    }

    /**
     * A1111's "only masked" ({@code inpaint_full_res}): the box around the mask grown by
     * {@code inpaint_full_res_padding} (default 32) to the request's aspect is inpainted at the request's size
     * ({@code width} x {@code height}, default the model's native size), then resized back and pasted into the whole
     * picture, which is what comes back (at its own size).
     */
    private Uni<Response> onlyMasked(ModelInfo model, QueuePlace place, RequestFields fields, double strength,
                                     RgbImage picture, InpaintMask mask, A1111Request r) {
        int padding = r.inpaintFullResPadding() == null ? 32 : r.inpaintFullResPadding();
        if (padding < 0 || padding > 1024) {
            throw ServiceException.invalid("inpaint_full_res_padding", "inpaint_full_res_padding must be between "
                    + "0 and 1024, got " + padding);
        }
        int w = r.width() != null ? r.width() : model.nativeSize();
        int h = r.height() != null ? r.height() : model.nativeSize();
        InpaintMask.Region region = mask.cropRegion(padding, w, h);
        RequestFields sized = new RequestFields(fields.prompt(), fields.negativePrompt(), w, h, fields.steps(),
                fields.guidance(), fields.seed(), fields.numImages(), fields.scheduler());
        GenerationRequest request = mapper.inpaint(sized, strength, crop(picture, region), mask.cropped(region),
                model);
        return answer(model.id(), place, request, r, PictureFinish.pastedBack(
                new PictureFinish.PasteBack(picture, mask, region)));
    }

    private static RgbImage crop(RgbImage picture, InpaintMask.Region region) {
        byte[] rgb = new byte[region.width() * region.height() * 3];
        for (int y = 0; y < region.height(); y++) {
            System.arraycopy(picture.rgb(), ((region.y() + y) * picture.width() + region.x()) * 3, rgb,
                    y * region.width() * 3, region.width() * 3);
        }
        return new RgbImage(region.width(), region.height(), rgb);
    }

    /**
     * AUTOMATIC1111's inpainting fields on the decoded mask (white = repaint): {@code inpainting_mask_invert} 1 swaps
     * it, {@code mask_blur} (default 4, as A1111) softens the composite's edge.
     */
    private static InpaintMask a1111Mask(InpaintMask decoded, A1111Request r, InpaintMask.Fill fill) {
        int blur = r.maskBlur() == null ? 4 : r.maskBlur();
        if (blur < 0 || blur > InpaintMask.MAX_BLUR) {
            throw ServiceException.invalid("mask_blur", "mask_blur must be between 0 and " + InpaintMask.MAX_BLUR
                    + ", got " + blur);
        }
        Integer invert = r.inpaintingMaskInvert();
        if (invert != null && invert != 0 && invert != 1) {
            throw ServiceException.invalid("inpainting_mask_invert", "inpainting_mask_invert must be 0 or 1");
        }
        InpaintMask mask = invert != null && invert == 1 ? decoded.inverted() : decoded;
        return mask.withBlur(blur).withFill(fill);
    }

    /** {@code inpainting_fill} 0 fill, 1 original (the default here), 2 latent noise, 3 latent nothing. */
    private static InpaintMask.Fill fill(A1111Request r) {
        int f = r.inpaintingFill() == null ? 1 : r.inpaintingFill();
        return switch (f) {
            case 0 -> InpaintMask.Fill.FILL;
            case 1 -> InpaintMask.Fill.ORIGINAL;
            case 2 -> InpaintMask.Fill.LATENT_NOISE;
            case 3 -> InpaintMask.Fill.LATENT_NOTHING;
            default -> throw ServiceException.invalid("inpainting_fill", "inpainting_fill must be 0 (fill), 1 "
                    + "(original), 2 (latent noise) or 3 (latent nothing), got " + f);
        };
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
    private Uni<Response> answer(String model, QueuePlace place, GenerationRequest request, A1111Request original,
                                 PictureFinish finish) {
        GenerationCommand command = GenerationCommand.of(model, request, "png", place, null).withFinish(finish);
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
        PictureFinish.HiresFix hires = pictures.finish().hires();
        if (hires != null) {
            info.put("enable_hr", true);
            info.put("hr_upscale_to_x", hires.width());
            info.put("hr_upscale_to_y", hires.height());
            info.put("hr_second_pass_steps", hires.steps());
            info.put("denoising_strength", hires.strength());
            info.put("hr_upscaler", hires.byUpscaler() ? original.hrUpscaler() : "bicubic resize");
        }
        if (request.mask() != null) {
            info.put("mask_blur", request.mask().blur());
            info.put("inpainting_fill", request.mask().fill().ordinal());
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("images", images);
        body.put("parameters", json.convertValue(original, Map.class));
        try {
            body.put("info", json.writeValueAsString(info));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        return NativeAnswers.cacheHeader(JsonBody.ok(json, body), pictures).build();
    }

    /** A1111's fields under our names: {@code cfg_scale} is the guidance, {@code count} the pictures. */
    private static RequestFields fields(A1111Request r, Integer count, ModelInfo model) {
        return new RequestFields(r.prompt(), r.negativePrompt(), r.width(), r.height(), r.steps(),
                Guidance.of(r.cfgScale()), seed(r), count, scheduler(r, model));
    }

    private static A1111Request empty() {
        return new A1111Request(null, null, null, null, null, null, null, null, null, null, null, null, null, null,
                null, null, null, null, null, null, null, null, null, null, null, null, null);
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
