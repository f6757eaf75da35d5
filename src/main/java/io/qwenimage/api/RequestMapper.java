package io.qwenimage.api;

import io.qwenimage.config.QwenConfig;
import io.qwenimage.engine.GenerationRequest;
import io.qwenimage.engine.InpaintMask;
import io.qwenimage.engine.RgbImage;
import io.qwenimage.engine.model.ModelFamily;
import io.qwenimage.engine.model.ModelInfo;
import io.qwenimage.engine.scheduler.ScheduleRefusedException;
import io.qwenimage.engine.scheduler.SchedulerKind;
import io.qwenimage.engine.tokenizer.T5Tokenizer;
import io.qwenimage.errors.ErrorCode;
import io.qwenimage.errors.ServiceException;
import io.qwenimage.service.GenerationService;
import io.qwenimage.service.ModelEntry;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/** Checks request fields against the configured limits and fills defaults; every refusal names the field. */
@ApplicationScoped
public class RequestMapper {

    /** Seeds drawn for requests without one lie in [0, 2^32 - 1), like AUTOMATIC1111's. */
    static final long SEED_RANGE = 4_294_967_295L;
    /** diffusers' StableDiffusionXLPipeline default guidance_scale. */
    static final double SDXL_GUIDANCE = 5.0;
    /** diffusers' StableDiffusion3Pipeline default guidance_scale. */
    static final double SD3_GUIDANCE = 7.0;
    /** diffusers' FluxPipeline default guidance_scale (the distilled guidance of FLUX.1-dev). */
    static final double FLUX_DEV_GUIDANCE = 3.5;
    /** diffusers' default num_inference_steps of StableDiffusion3Pipeline and FluxPipeline. */
    static final int FLOW_TRANSFORMER_STEPS = 28;
    /** FLUX.1-schnell is distilled for 1 to 4 steps; 4 is what its model card runs. */
    static final int FLUX_SCHNELL_STEPS = 4;

    private final QwenConfig config;
    private final io.qwenimage.observability.GenerationObserver observer;
    private final GenerationService service;

    public RequestMapper(QwenConfig config, io.qwenimage.observability.GenerationObserver observer,
                         GenerationService service) {
        this.config = config;
        this.observer = observer;
        this.service = service;
    }

    /** The engine request of a /text-to-image body. */
    public GenerationRequest textToImage(TextToImageRequest body, ModelInfo model) {
        if (body == null) {
            throw ServiceException.invalid("body", "a JSON body with at least \"prompt\" is required");
        }
        return withMaxSequenceLength(textToImage(body.fields(), model), body.maxSequenceLength(), model);
    }

    /** The engine request of a text-to-image call of any wire format. */
    public GenerationRequest textToImage(RequestFields fields, ModelInfo model) {
        return build(fields, model, null, 1.0);
    }

    /**
     * The engine request of an inpainting call of any wire format: image-to-image repainting where {@code mask}
     * says (strength 1 unless given, as diffusers' inpainting pipelines). Served by latent blending on every
     * family (or by a dedicated 9-channel inpainting UNet); a mask that marks nothing is refused.
     */
    public GenerationRequest inpaint(RequestFields fields, Double strength, RgbImage image, InpaintMask mask,
                                     ModelInfo model) {
        if (mask.repaintsNothing()) {
            throw ServiceException.invalid("mask", "the mask marks nothing to repaint (white pixels are repainted; "
                    + "in OpenAI's edits, fully transparent ones)");
        }
        return imageToImage(fields, strength == null ? 1.0 : strength, image, model).withMask(mask);
    }

    /** The engine request of an image-to-image call of any wire format. */
    public GenerationRequest imageToImage(RequestFields fields, Double strength, RgbImage image, ModelInfo model) {
        double s = strength == null ? config.generation().strength() : strength;
        if (!(s >= 0.01 && s <= 1.0)) {
            throw ServiceException.invalid("strength", "strength must be between 0.01 and 1.0, got " + s);
        }
        // the seed's rule: width/height default to the input picture's size; a picture larger than the limits is
        // generated at the largest size within them that keeps its aspect ratio (multiples of 8), one smaller than
        // the minimum at the smallest size that reaches it; a family with a size multiple (Qwen-Image: 16) gets
        // the input's size rounded down to it
        int w = fields.width() != null ? fields.width() : image.width();
        int h = fields.height() != null ? fields.height() : image.height();
        if (fields.width() == null && fields.height() == null) {
            QwenConfig.Limits l = config.limits();
            int m = Math.max(8, model.pipeline().sizeMultiple());
            double scale = Math.min(1.0, Math.min(Math.min((double) l.maxWidth() / w, (double) l.maxHeight() / h),
                    Math.sqrt((double) l.maxPixels() / ((long) w * h))));
            if (scale < 1.0) {
                w = Math.max(l.minSize(), (int) (w * scale) / m * m);
                h = Math.max(l.minSize(), (int) (h * scale) / m * m);
            } else if (w < l.minSize() || h < l.minSize()) {
                double up = (double) l.minSize() / Math.min(w, h);
                w = Math.min(l.maxWidth(), (int) Math.ceil(w * up / m) * m);
                h = Math.min(l.maxHeight(), (int) Math.ceil(h * up / m) * m);
            } else if (model.pipeline().sizeMultiple() > 1) {
                w = Math.max(m, w / m * m);
                h = Math.max(m, h / m * m);
            }
        }
        return build(new RequestFields(fields.prompt(), fields.negativePrompt(), w, h, fields.steps(),
                fields.guidance(), fields.seed(), fields.numImages(), fields.scheduler()), model, image, s);
    }

    /**
     * max_sequence_length: Qwen-Image's (1 to 1024) or T5's for SD3 and FLUX (1 to 512); refused on the SD
     * families, whose text length is fixed.
     */
    private static GenerationRequest withMaxSequenceLength(GenerationRequest r, Integer length, ModelInfo model) {
        if (length == null) {
            return r;
        }
        switch (model.pipeline()) {
            case QWEN_IMAGE -> range("max_sequence_length", length, 1, 1024);
            case STABLE_DIFFUSION_3, FLUX -> range("max_sequence_length", length, 1, T5Tokenizer.MAX_LENGTH);
            default -> throw ServiceException.invalid("max_sequence_length", "max_sequence_length applies to "
                    + "Qwen-Image, SD3 and FLUX models; this model (" + model.family() + ") reads a fixed number of "
                    + "prompt tokens");
        }
        return r.withMaxSequenceLength(length);
    }

    /** png or jpeg (default from configuration). */
    public String outputFormat(String requested) {
        String f = (requested == null ? config.generation().outputFormat() : requested).trim().toLowerCase(Locale.ROOT);
        return switch (f) {
            case "png" -> "png";
            case "jpeg", "jpg" -> "jpeg";
            default -> throw ServiceException.invalid("output_format", "output_format must be png or jpeg, not '"
                    + requested + "'");
        };
    }

    private GenerationRequest build(RequestFields fields, ModelInfo model, RgbImage image, double strength) {
        QwenConfig.Limits limits = config.limits();
        String prompt = fields.prompt();
        String negative = fields.negativePrompt();
        if (prompt == null || prompt.isBlank()) {
            throw ServiceException.invalid("prompt", "prompt must not be empty");
        }
        if (prompt.length() > limits.maxPromptLength()) {
            throw ServiceException.invalid("prompt", "prompt is " + prompt.length() + " characters; at most "
                    + limits.maxPromptLength() + " are accepted");
        }
        if (negative != null && negative.length() > limits.maxPromptLength()) {
            throw ServiceException.invalid("negative_prompt", "negative_prompt is longer than "
                    + limits.maxPromptLength() + " characters");
        }
        printable("prompt", prompt);
        printable("negative_prompt", negative);
        int w = fields.width() != null ? fields.width() : model.nativeSize();
        int h = fields.height() != null ? fields.height() : model.nativeSize();
        range("width", w, limits.minSize(), limits.maxWidth());
        range("height", h, limits.minSize(), limits.maxHeight());
        if ((long) w * h > limits.maxPixels()) {
            throw new ServiceException(ErrorCode.VALIDATION_ERROR, w + "x" + h + " is " + (long) w * h
                    + " pixels; this service generates at most " + limits.maxPixels() + " pixels per image",
                    Map.of("field", "width", "max_pixels", limits.maxPixels()));
        }
        multiple("width", w, model);
        multiple("height", h, model);
        // a model's own defaults (qwen.models.entries.<id>.*) before the service's
        ModelEntry entry = service.entry(model.id());
        int n = fields.steps() != null ? fields.steps() : defaultSteps(model, entry, config);
        range("num_inference_steps", n, 1, limits.maxSteps());
        double g = guidanceScale(fields.guidance(), model, entry);
        int count = fields.numImages() != null ? fields.numImages() : 1;
        range("num_images", count, 1, limits.maxNumImages());
        SchedulerKind kind;
        try {
            kind = fields.scheduler() != null ? SchedulerKind.fromApiName(fields.scheduler())
                    : model.defaultScheduler(SchedulerKind.fromApiName(entry.scheduler()
                    .orElse(config.generation().scheduler())));
        } catch (IllegalArgumentException e) {
            throw ServiceException.invalid("scheduler", e.getMessage());
        }
        long s;
        Long seed = fields.seed();
        if (seed != null && seed > GenerationRequest.MAX_SEED) {
            throw new ServiceException(ErrorCode.VALIDATION_ERROR, "seed must be between 0 and "
                    + GenerationRequest.MAX_SEED + " (negative: random), got " + seed,
                    Map.of("field", "seed", "min", 0, "max", GenerationRequest.MAX_SEED));
        }
        if (seed != null && seed >= 0) {
            s = seed;
        } else {
            s = ThreadLocalRandom.current().nextLong(SEED_RANGE);
            observer.current().seedDrawn();
        }
        try {
            kind.check(model.scheduler(), n, image != null ? strength : 1.0);
        } catch (ScheduleRefusedException e) {
            throw ServiceException.invalid(e.field(), e.getMessage());
        }
        GenerationRequest request = new GenerationRequest(prompt, negative == null ? "" : negative, w, h, n, g,
                kind, s, count, image, strength);
        return model.pipeline() == ModelFamily.FLUX ? request.withTrueCfgScale(fluxTrueCfg(fields.guidance()))
                : request;
    }

    /**
     * The steps of a request on {@code model} that gives none: the model entry's {@code num-inference-steps},
     * else the family's (diffusers' 28 for SD3 and FLUX.1-dev, 4 for FLUX.1-schnell), else the configured steps.
     */
    static int defaultSteps(ModelInfo model, ModelEntry entry, QwenConfig config) {
        return entry.steps().orElseGet(() -> switch (model.pipeline()) {
            case FLUX -> model.guidanceEmbedding() ? FLOW_TRANSFORMER_STEPS : FLUX_SCHNELL_STEPS;
            case STABLE_DIFFUSION_3 -> FLOW_TRANSFORMER_STEPS;
            default -> config.generation().steps();
        });
    }

    /** FLUX's optional true CFG: {@code true_cfg_scale}, 1 (off) when not given. */
    private static double fluxTrueCfg(Guidance guidance) {
        Double given = guidance == null ? null : guidance.trueCfgScale();
        double t = given == null ? 1.0 : given;
        if (!(t >= 0 && t <= 30)) {
            throw ServiceException.invalid("true_cfg_scale", "true_cfg_scale must be between 0 and 30, got " + t);
        }
        return t;
    }

    /**
     * The scale the engine gets: {@code guidance_scale} for Stable Diffusion (true_cfg_scale refused: it would be
     * silently ignored); for Qwen-Image {@code true_cfg_scale}, else {@code guidance_scale}, else the configured
     * true-cfg-scale.
     */
    /**
     * The guidance of a request on {@code model} that gives none: the model entry's {@code guidance-scale}, else
     * the family's (diffusers' defaults: SDXL 5.0, SD3 7.0, FLUX.1-dev 3.5 (distilled), FLUX.1-schnell 0 (it takes
     * none); the configured guidance-scale for SD 1.x/2.x, true-cfg-scale for Qwen-Image).
     */
    static double defaultGuidance(ModelInfo model, ModelEntry entry, QwenConfig config) {
        return entry.guidanceScale().orElseGet(() -> switch (model.pipeline()) {
            case QWEN_IMAGE -> config.generation().trueCfgScale();
            case STABLE_DIFFUSION_XL -> SDXL_GUIDANCE;
            case STABLE_DIFFUSION_3 -> SD3_GUIDANCE;
            case FLUX -> model.guidanceEmbedding() ? FLUX_DEV_GUIDANCE : 0.0;
            case STABLE_DIFFUSION -> config.generation().guidanceScale();
        });
    }

    private double guidanceScale(Guidance guidance, ModelInfo model, ModelEntry entry) {
        Guidance given = guidance == null ? Guidance.of(null) : guidance;
        String field;
        double g;
        if (model.pipeline() == ModelFamily.QWEN_IMAGE) {
            field = given.trueCfgScale() != null || given.guidanceScale() == null ? "true_cfg_scale" : "guidance_scale";
            g = given.trueCfgScale() != null ? given.trueCfgScale() : given.guidanceScale() != null
                    ? given.guidanceScale() : defaultGuidance(model, entry, config);
        } else {
            if (given.trueCfgScale() != null && model.pipeline() != ModelFamily.FLUX) {
                throw ServiceException.invalid("true_cfg_scale", "true_cfg_scale is the Qwen-Image family's guidance"
                        + " and FLUX's optional true CFG; this model (" + model.family() + ") is guided by "
                        + "guidance_scale");
            }
            field = "guidance_scale";
            g = given.guidanceScale() != null ? given.guidanceScale() : defaultGuidance(model, entry, config);
        }
        if (!(g >= 0 && g <= 30)) {
            throw ServiceException.invalid(field, field + " must be between 0 and 30, got " + g);
        }
        return g;
    }

    /** Refuses a side that is not a multiple of the family's (Qwen-Image: 16), naming the nearest ones. */
    private static void multiple(String field, int value, ModelInfo model) {
        int m = model.pipeline().sizeMultiple();
        if (m > 1 && value % m != 0) {
            int below = value / m * m;
            throw new ServiceException(ErrorCode.VALIDATION_ERROR, field + " must be a multiple of " + m
                    + " for " + model.family() + " models, got " + value + " (try " + (below > 0 ? below + " or " : "")
                    + (below + m) + ")", Map.of("field", field, "multiple_of", m));
        }
    }

    private static void range(String field, int value, int min, int max) {
        if (value < min || value > max) {
            throw new ServiceException(ErrorCode.VALIDATION_ERROR, field + " must be between " + min + " and "
                    + max + ", got " + value, Map.of("field", field, "min", min, "max", max));
        }
    }

    /**
     * Refuses control characters other than tab and line breaks, and unpaired surrogates: they are never part of
     * a description, and they turn logs and PNG text chunks into traps.
     */
    static void printable(String field, String text) {
        if (text == null) {
            return;
        }
        int i = 0;
        while (i < text.length()) {
            int c = text.codePointAt(i);
            boolean control = (c < 0x20 && c != '\t' && c != '\n' && c != '\r') || (c >= 0x7F && c <= 0x9F);
            // codePointAt returns an unpaired surrogate as itself
            if (control || Character.isSurrogate((char) c) && c <= 0xFFFF) {
                throw ServiceException.invalid(field, field + " contains a control character or a broken character "
                        + "(U+" + String.format("%04X", c) + ") at position " + i);
            }
            i += Character.charCount(c);
        }
    }
}
