package io.qwenimage.service;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.qwenimage.engine.GenerationRequest;
import io.qwenimage.engine.model.ModelFamily;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The seed's success body: {@code image} (base64, no data: prefix) is the first picture, {@code images} all of
 * them, {@code metadata} describes the generation (seed per image always included). The native API answers it, and
 * it is the {@code result} of a finished job's status document, which every replica reads back.
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
@JsonIgnoreProperties(ignoreUnknown = true)
public record ImageResponse(boolean success, String image, List<String> images, Map<String, Object> metadata,
                            Object error) {

    /** The body of {@code generated}. */
    public static ImageResponse of(GeneratedPictures generated) {
        List<String> images = generated.pictures().stream().map(b -> Base64.getEncoder().encodeToString(b)).toList();
        return new ImageResponse(true, images.get(0), images, metadata(generated), null);
    }

    private static Map<String, Object> metadata(GeneratedPictures g) {
        GenerationRequest request = g.request();
        Map<String, Object> metadata = new LinkedHashMap<>();
        PictureFinish finish = g.finish();
        if (finish.upscale() > 0) {
            int[] size = Upscalers.target(request.width(), request.height(), finish.upscale());
            metadata.put("width", size[0]);
            metadata.put("height", size[1]);
            metadata.put("upscale", Map.of("factor", finish.upscale(), "generated_width", request.width(),
                    "generated_height", request.height()));
        } else {
            metadata.put("width", request.width());
            metadata.put("height", request.height());
        }
        metadata.put("seed", g.seeds().get(0));
        metadata.put("seeds", g.seeds());
        metadata.put("inference_time", Math.round(g.seconds() * 1000) / 1000.0);
        metadata.put("model", g.model());
        metadata.put("timestamp", Instant.now().toString());
        metadata.put("format", g.format().toUpperCase(Locale.ROOT));
        metadata.put("mode", "RGB");
        metadata.put("parameters", parameters(request, g.family()));
        if (!g.truncatedPrompt().isEmpty()) {
            metadata.put("prompt_truncated", g.truncatedPrompt());
        }
        if (g.cached()) {
            metadata.put("cached", true);
        }
        if (g.input() != null) {
            Map<String, Object> input = new LinkedHashMap<>();
            input.put("original_width", g.input().width());
            input.put("original_height", g.input().height());
            if (g.input().fileName() != null) {
                input.put("filename", g.input().fileName());
            }
            metadata.put("input_image", input);
        }
        return metadata;
    }

    private static Map<String, Object> parameters(GenerationRequest request, ModelFamily family) {
        Map<String, Object> parameters = new LinkedHashMap<>();
        parameters.put("prompt", request.prompt());
        parameters.put("negative_prompt", request.negativePrompt());
        parameters.put("width", request.width());
        parameters.put("height", request.height());
        parameters.put("num_inference_steps", request.steps());
        parameters.put("guidance_scale", request.guidanceScale());
        if (family == ModelFamily.QWEN_IMAGE) {
            // the same number under the name this family's own API gives it
            parameters.put("true_cfg_scale", request.guidanceScale());
        } else if (family == ModelFamily.FLUX) {
            parameters.put("true_cfg_scale", request.trueCfgScale());
        }
        if (request.maxSequenceLength() > 0) {
            parameters.put("max_sequence_length", request.maxSequenceLength());
        }
        parameters.put("scheduler", request.scheduler().apiName());
        parameters.put("seed", request.seed());
        parameters.put("num_images", request.numImages());
        if (request.initImage() != null) {
            parameters.put("strength", request.strength());
        }
        if (request.mask() != null) {
            parameters.put("inpainting", true);
            parameters.put("mask_blur", request.mask().blur());
        }
        return parameters;
    }
}
