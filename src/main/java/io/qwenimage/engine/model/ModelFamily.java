package io.qwenimage.engine.model;

import com.fasterxml.jackson.databind.JsonNode;
import io.qwenimage.engine.JsonFiles;
import io.qwenimage.engine.ModelException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

/**
 * Which pipeline a model folder needs, from its {@code model_index.json} {@code _class_name} (what diffusers'
 * {@code DiffusionPipeline.from_pretrained} dispatches on, and what optimum's and diffusers' ONNX exporters write).
 */
public enum ModelFamily {

    /** Stable Diffusion 1.x / 2.x, Turbo and LCM UNets: CLIP text encoder, UNet, 4-channel VAE. */
    STABLE_DIFFUSION("sd"),
    /**
     * Stable Diffusion XL (base, Turbo, LCM-SDXL): two CLIP text encoders, a UNet with added conditioning (pooled
     * text embeddings and size/crop time ids), 4-channel VAE. Runs on the Stable Diffusion pipeline.
     */
    STABLE_DIFFUSION_XL("sdxl"),
    /**
     * Stable Diffusion 3 / 3.5: CLIP-L, CLIP-G and (optionally) T5 text encoders, a flow-matching MMDiT on
     * unpacked latents, 16-channel VAE with a shift factor.
     */
    STABLE_DIFFUSION_3("sd3"),
    /**
     * FLUX.1 dev and schnell: CLIP-L (pooled) and T5 text encoders, a flow-matching MMDiT on 2x2-packed latents
     * with positional ids, 16-channel VAE with a shift factor.
     */
    FLUX("flux"),
    /** Qwen-Image: Qwen2.5-VL text encoder, flow-matching MMDiT, 16-channel VAE. */
    QWEN_IMAGE("qwen-image");

    private static final Set<String> STABLE_DIFFUSION_CLASSES = Set.of("StableDiffusionPipeline",
            "StableDiffusionImg2ImgPipeline", "OnnxStableDiffusionPipeline", "OnnxStableDiffusionImg2ImgPipeline",
            "ORTStableDiffusionPipeline", "ORTStableDiffusionImg2ImgPipeline", "LatentConsistencyModelPipeline",
            "LatentConsistencyModelImg2ImgPipeline", "ORTLatentConsistencyModelPipeline",
            "StableDiffusionInpaintPipeline", "ORTStableDiffusionInpaintPipeline");

    private static final Set<String> STABLE_DIFFUSION_XL_CLASSES = Set.of("StableDiffusionXLPipeline",
            "StableDiffusionXLImg2ImgPipeline", "ORTStableDiffusionXLPipeline", "ORTStableDiffusionXLImg2ImgPipeline",
            "ORTLatentConsistencyModelXLPipeline", "StableDiffusionXLInpaintPipeline",
            "ORTStableDiffusionXLInpaintPipeline");

    private static final Set<String> STABLE_DIFFUSION_3_CLASSES = Set.of("StableDiffusion3Pipeline",
            "StableDiffusion3Img2ImgPipeline", "ORTStableDiffusion3Pipeline", "ORTStableDiffusion3Img2ImgPipeline");

    private static final Set<String> FLUX_CLASSES = Set.of("FluxPipeline", "FluxImg2ImgPipeline", "ORTFluxPipeline",
            "ORTFluxImg2ImgPipeline");

    private static final Set<String> QWEN_IMAGE_CLASSES = Set.of("QwenImagePipeline", "QwenImageImg2ImgPipeline");

    /** Families people export that the engine does not serve yet: refused at start, by name. */
    private static final Map<String, String> NOT_SERVED = Map.ofEntries(
            Map.entry("FluxFillPipeline", "FLUX.1 Fill (inpainting)"),
            Map.entry("FluxKontextPipeline", "FLUX.1 Kontext (needs the reference-image path)"),
            Map.entry("StableDiffusionUpscalePipeline", "SD x4 upscaling"),
            Map.entry("QwenImageEditPipeline", "Qwen-Image-Edit (needs the vision tower)"),
            Map.entry("KandinskyV22Pipeline", "Kandinsky 2.2"), Map.entry("PixArtAlphaPipeline", "PixArt-α"),
            Map.entry("WanPipeline", "Wan (video)"));

    private final String id;

    ModelFamily(String id) {
        this.id = id;
    }

    /** The family's name in /info and logs: "sd", "sdxl", "sd3", "flux" or "qwen-image". */
    public String id() {
        return id;
    }

    /**
     * The family of a model folder, from its model_index.json.
     *
     * @throws ModelException when the folder or its model_index.json is missing or malformed, or names a
     *                        pipeline the engine does not serve
     */
    public static ModelFamily ofFolder(Path folder) {
        if (!Files.isDirectory(folder)) {
            throw ModelException.of(folder, "is not a model folder (no such directory)");
        }
        Path index = folder.resolve("model_index.json");
        JsonNode json = JsonFiles.read(index);
        if (!json.isObject()) {
            throw ModelException.of(index, "is not a JSON object");
        }
        return of(json, index);
    }

    /**
     * Sizes must be multiples of this (1: any size; SD 1.x/2.x generate at the next multiple of 8 and crop). SDXL
     * takes its size as conditioning (time_ids), so a size it would not generate exactly is refused instead.
     */
    public int sizeMultiple() {
        return switch (this) {
            case STABLE_DIFFUSION -> 1;
            case STABLE_DIFFUSION_XL -> 8;
            case STABLE_DIFFUSION_3, FLUX, QWEN_IMAGE -> 16;
        };
    }

    /** True for the families that run on the Stable Diffusion (UNet) pipeline. */
    public boolean unet() {
        return this == STABLE_DIFFUSION || this == STABLE_DIFFUSION_XL;
    }

    /**
     * The family of a folder whose model_index.json is {@code index}.
     *
     * @throws ModelException naming the class when it is not one the engine serves
     */
    public static ModelFamily of(JsonNode index, Path file) {
        JsonNode name = index.path("_class_name");
        if (!name.isTextual() || name.asText().isBlank()) {
            throw ModelException.of(file, "has no _class_name: it does not say which pipeline the model is for");
        }
        String className = name.asText();
        if (STABLE_DIFFUSION_CLASSES.contains(className)) {
            return STABLE_DIFFUSION;
        }
        if (STABLE_DIFFUSION_XL_CLASSES.contains(className)) {
            return STABLE_DIFFUSION_XL;
        }
        if (STABLE_DIFFUSION_3_CLASSES.contains(className)) {
            return STABLE_DIFFUSION_3;
        }
        if (FLUX_CLASSES.contains(className)) {
            return FLUX;
        }
        if (QWEN_IMAGE_CLASSES.contains(className)) {
            return QWEN_IMAGE;
        }
        String known = NOT_SERVED.get(className);
        if (known != null) {
            throw ModelException.of(file, "is a " + className + " (" + known + ") model, a family this service does "
                    + "not serve yet; it serves Stable Diffusion 1.x/2.x/Turbo/LCM, SDXL, SD3, FLUX.1 and Qwen-Image");
        }
        throw ModelException.of(file, "names pipeline class '" + className + "', which this service does not "
                + "know; it serves Stable Diffusion 1.x/2.x/Turbo/LCM (e.g. StableDiffusionPipeline), SDXL "
                + "(StableDiffusionXLPipeline), SD3 (StableDiffusion3Pipeline), FLUX.1 (FluxPipeline) and Qwen-Image "
                + "(QwenImagePipeline)");
    }
}
