package io.qwenimage.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.util.Map;

/** The raw loops' last stage: a VAE decoder's picture as 8-bit values, as plainly as possible. */
final class RawDecoding {

    private RawDecoding() {
    }

    /** {@code latents} through {@code decoder} ({@code latent_sample}), then [-1, 1] to 0..255, {@code values} of them. */
    static byte[] rgb(OrtSession decoder, OnnxTensor latents, int values) throws OrtException {
        try (OrtSession.Result r = decoder.run(Map.of("latent_sample", latents))) {
            float[] pixels = new float[values];
            ((OnnxTensor) r.get(0)).getFloatBuffer().get(pixels);
            byte[] rgb = new byte[values];
            for (int k = 0; k < values; k++) {
                rgb[k] = (byte) Math.round(Math.max(0f, Math.min(1f, pixels[k] / 2f + 0.5f)) * 255f);
            }
            return rgb;
        }
    }
}
