package io.qwenimage.api;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * POST /text-to-image body: the seed's fields (prompt, width, height, num_inference_steps, guidance_scale) plus
 * ours ({@code true_cfg_scale}: Qwen-Image's guidance, see {@link Guidance}). Omitted fields take the configured
 * defaults (size: the model's native size).
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record TextToImageRequest(
        @JsonProperty("prompt") String prompt,
        @JsonProperty("negative_prompt") String negativePrompt,
        @JsonProperty("width") Integer width,
        @JsonProperty("height") Integer height,
        @JsonProperty("num_inference_steps") Integer numInferenceSteps,
        @JsonProperty("guidance_scale") Double guidanceScale,
        @JsonProperty("true_cfg_scale") Double trueCfgScale,
        @JsonProperty("seed") Long seed,
        @JsonProperty("num_images") Integer numImages,
        @JsonProperty("scheduler") String scheduler,
        @JsonProperty("output_format") String outputFormat,
        @JsonProperty("max_sequence_length") Integer maxSequenceLength,
        @JsonProperty("model") String model,
        @JsonProperty("upscale") Double upscale) {

    /** The body's generation fields. */
    public RequestFields fields() {
        return new RequestFields(prompt, negativePrompt, width, height, numInferenceSteps,
                new Guidance(guidanceScale, trueCfgScale), seed, numImages, scheduler);
    }
}
