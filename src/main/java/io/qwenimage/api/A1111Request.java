package io.qwenimage.api;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * AUTOMATIC1111's txt2img/img2img body (the fields this service uses; the rest is accepted and ignored, as A1111
 * clients send many).
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record A1111Request(
        @JsonProperty("prompt") String prompt,
        @JsonProperty("negative_prompt") String negativePrompt,
        @JsonProperty("steps") Integer steps,
        @JsonProperty("cfg_scale") Double cfgScale,
        @JsonProperty("width") Integer width,
        @JsonProperty("height") Integer height,
        @JsonProperty("seed") Long seed,
        @JsonProperty("batch_size") Integer batchSize,
        @JsonProperty("n_iter") Integer nIter,
        @JsonProperty("sampler_name") String samplerName,
        @JsonProperty("sampler_index") String samplerIndex,
        @JsonProperty("scheduler") String scheduler,
        @JsonProperty("init_images") List<String> initImages,
        @JsonProperty("denoising_strength") Double denoisingStrength,
        @JsonProperty("override_settings") java.util.Map<String, Object> overrideSettings,
        @JsonProperty("mask") String mask,
        @JsonProperty("mask_blur") Integer maskBlur,
        @JsonProperty("inpainting_mask_invert") Integer inpaintingMaskInvert,
        @JsonProperty("inpainting_fill") Integer inpaintingFill,
        @JsonProperty("inpaint_full_res") Boolean inpaintFullRes,
        @JsonProperty("inpaint_full_res_padding") Integer inpaintFullResPadding,
        @JsonProperty("enable_hr") Boolean enableHr,
        @JsonProperty("hr_scale") Double hrScale,
        @JsonProperty("hr_upscaler") String hrUpscaler,
        @JsonProperty("hr_second_pass_steps") Integer hrSecondPassSteps,
        @JsonProperty("hr_resize_x") Integer hrResizeX,
        @JsonProperty("hr_resize_y") Integer hrResizeY) {

    /** The checkpoint {@code override_settings} asks for, or null. */
    public String checkpoint() {
        Object wanted = overrideSettings == null ? null : overrideSettings.get("sd_model_checkpoint");
        return wanted == null ? null : wanted.toString();
    }
}
