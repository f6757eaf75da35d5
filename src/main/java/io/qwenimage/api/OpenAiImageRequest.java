package io.qwenimage.api;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * OpenAI's {@code POST /v1/images/generations} body. {@code model}, {@code quality}, {@code style},
 * {@code background} and {@code user} are accepted and ignored (the loaded model answers); {@code negative_prompt},
 * {@code seed}, {@code steps}, {@code guidance_scale} and {@code scheduler} are ours.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record OpenAiImageRequest(
        @JsonProperty("prompt") String prompt,
        @JsonProperty("n") Integer n,
        @JsonProperty("size") String size,
        @JsonProperty("response_format") String responseFormat,
        @JsonProperty("output_format") String outputFormat,
        @JsonProperty("model") String model,
        @JsonProperty("negative_prompt") String negativePrompt,
        @JsonProperty("seed") Long seed,
        @JsonProperty("steps") Integer steps,
        @JsonProperty("guidance_scale") Double guidanceScale,
        @JsonProperty("true_cfg_scale") Double trueCfgScale,
        @JsonProperty("scheduler") String scheduler,
        @JsonProperty("stream") Boolean stream,
        @JsonProperty("partial_images") Integer partialImages) {
}
