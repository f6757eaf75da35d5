package io.qwenimage.service;

import io.qwenimage.engine.ImageTensors;
import io.qwenimage.engine.RgbImage;
import io.qwenimage.engine.image.ImageCodec;
import java.util.Base64;
import java.util.Map;

/**
 * Live previews as callers get them, encoded off the worker: a PNG enlarged from the latents' resolution (an eighth
 * of the picture's sides) to at most {@link #LONG_SIDE} pixels and at most eight times, so a 64x64 picture's preview
 * is 64x64 and a 1024x1024 one's 256x256.
 */
public final class PreviewPictures {

    /** The longest side a progress preview is enlarged to. */
    public static final int LONG_SIDE = 256;

    private PreviewPictures() {
    }

    /** The preview as base64 PNG (A1111's {@code current_image}). */
    public static String base64Png(PreviewPicture preview) {
        RgbImage p = preview.picture();
        int factor = Math.max(1, Math.min(8, LONG_SIDE / Math.max(p.width(), p.height())));
        return Base64.getEncoder().encodeToString(ImageCodec.encodePng(
                ImageTensors.resize(p, p.width() * factor, p.height() * factor), Map.of()));
    }

    /** The preview as a {@code data:image/png;base64,} URL (our progress events' {@code preview}). */
    public static String dataUrl(PreviewPicture preview) {
        return "data:image/png;base64," + base64Png(preview);
    }

    /** The preview enlarged to the finished picture's size (OpenAI's partial images are full-size pictures). */
    public static RgbImage atSize(PreviewPicture preview, int width, int height) {
        return ImageTensors.resize(preview.picture(), width, height);
    }
}
