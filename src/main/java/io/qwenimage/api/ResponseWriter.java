package io.qwenimage.api;

import io.qwenimage.config.QwenConfig;
import io.qwenimage.engine.model.ModelFamily;
import io.qwenimage.engine.model.ModelInfo;
import io.qwenimage.service.GenerationService;
import io.qwenimage.engine.GenerationRequest;
import io.qwenimage.engine.GenerationResult;
import io.qwenimage.engine.RgbImage;
import io.qwenimage.engine.image.GenerationParameters;
import io.qwenimage.engine.image.ImageCodec;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.Response;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Turns a finished generation into the seed's JSON envelope, or into raw image bytes for Accept: image/*. */
@ApplicationScoped
public class ResponseWriter {

    private final QwenConfig config;
    private final GenerationService service;

    public ResponseWriter(QwenConfig config, GenerationService service) {
        this.config = config;
        this.service = service;
    }

    /** Encoded pictures, in the chosen format, with the A1111 parameters in PNGs. */
    public List<byte[]> encode(GenerationRequest request, GenerationResult result, String format, String model) {
        List<byte[]> out = new ArrayList<>();
        for (int i = 0; i < result.images().size(); i++) {
            RgbImage img = result.images().get(i);
            out.add(format.equals("jpeg") ? ImageCodec.encodeJpeg(img, config.generation().jpegQuality())
                    : ImageCodec.encodePng(img, Map.of("parameters",
                    GenerationParameters.format(request, result.seeds().get(i), model))));
        }
        return out;
    }

    /** The JSON body. */
    public ImageResponse json(GenerationRequest request, GenerationResult result, List<byte[]> encoded,
                              String format, String model, double seconds, Map<String, Object> extra) {
        List<String> images = encoded.stream().map(b -> Base64.getEncoder().encodeToString(b)).toList();
        Map<String, Object> parameters = new LinkedHashMap<>();
        parameters.put("prompt", request.prompt());
        parameters.put("negative_prompt", request.negativePrompt());
        parameters.put("width", request.width());
        parameters.put("height", request.height());
        parameters.put("num_inference_steps", request.steps());
        parameters.put("guidance_scale", request.guidanceScale());
        ModelInfo info = service.modelInfo();
        if (info != null && info.pipeline() == ModelFamily.QWEN_IMAGE) {
            // the same number under the name this family's own API gives it
            parameters.put("true_cfg_scale", request.guidanceScale());
        }
        parameters.put("scheduler", request.scheduler().apiName());
        parameters.put("seed", request.seed());
        parameters.put("num_images", request.numImages());
        if (request.initImage() != null) {
            parameters.put("strength", request.strength());
        }
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("width", request.width());
        metadata.put("height", request.height());
        metadata.put("seed", result.seeds().get(0));
        metadata.put("seeds", result.seeds());
        metadata.put("inference_time", Math.round(seconds * 1000) / 1000.0);
        metadata.put("model", model);
        metadata.put("timestamp", Instant.now().toString());
        metadata.put("format", format.toUpperCase(java.util.Locale.ROOT));
        metadata.put("mode", "RGB");
        metadata.put("parameters", parameters);
        if (!result.truncatedPrompt().isEmpty()) {
            metadata.put("prompt_truncated", result.truncatedPrompt());
        }
        if (result.cached()) {
            metadata.put("cached", true);
        }
        metadata.putAll(extra);
        return new ImageResponse(true, images.get(0), images, metadata, null);
    }

    /** Raw bytes of the first picture; the seed in X-Seed (all seeds in X-Seeds). */
    public Response raw(GenerationResult result, List<byte[]> encoded, String format) {
        return Response.ok(encoded.get(0), format.equals("jpeg") ? "image/jpeg" : "image/png")
                .header("X-Seed", result.seeds().get(0))
                .header("X-Seeds", String.join(",", result.seeds().stream().map(String::valueOf).toList()))
                .build();
    }
}
