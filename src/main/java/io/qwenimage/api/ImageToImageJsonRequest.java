package io.qwenimage.api;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * POST /image-to-image as JSON: the multipart form's fields, with the picture (and the inpainting mask) as base64
 * (data: URL allowed).
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ImageToImageJsonRequest(
        @JsonProperty("image") String image,
        @JsonProperty("prompt") String prompt,
        @JsonProperty("negative_prompt") String negativePrompt,
        @JsonProperty("strength") Double strength,
        @JsonProperty("width") Integer width,
        @JsonProperty("height") Integer height,
        @JsonProperty("num_inference_steps") Integer numInferenceSteps,
        @JsonProperty("guidance_scale") Double guidanceScale,
        @JsonProperty("true_cfg_scale") Double trueCfgScale,
        @JsonProperty("seed") Long seed,
        @JsonProperty("num_images") Integer numImages,
        @JsonProperty("scheduler") String scheduler,
        @JsonProperty("output_format") String outputFormat,
        @JsonProperty("model") String model,
        @JsonProperty("mask") String mask,
        @JsonProperty("mask_blur") Integer maskBlur,
        @JsonProperty("upscale") Double upscale) {
}
