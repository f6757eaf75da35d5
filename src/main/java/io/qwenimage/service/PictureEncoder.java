package io.qwenimage.service;

import io.qwenimage.config.QwenConfig;
import io.qwenimage.engine.GenerationRequest;
import io.qwenimage.engine.GenerationResult;
import io.qwenimage.engine.RgbImage;
import io.qwenimage.engine.image.GenerationParameters;
import io.qwenimage.engine.image.ImageCodec;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Encodes a generation's pictures in the caller's format, on the worker: PNG with the A1111 parameters, or JPEG. */
@ApplicationScoped
public class PictureEncoder {

    private final float jpegQuality;

    public PictureEncoder(QwenConfig config) {
        this.jpegQuality = config.generation().jpegQuality();
    }

    /** One encoded picture per image of {@code result}. */
    public List<byte[]> encode(GenerationRequest request, GenerationResult result, String format, String model) {
        List<byte[]> out = new ArrayList<>();
        for (int i = 0; i < result.images().size(); i++) {
            RgbImage img = result.images().get(i);
            out.add(format.equals("jpeg") ? ImageCodec.encodeJpeg(img, jpegQuality)
                    : ImageCodec.encodePng(img, Map.of("parameters",
                    GenerationParameters.format(request, result.seeds().get(i), model))));
        }
        return out;
    }
}
