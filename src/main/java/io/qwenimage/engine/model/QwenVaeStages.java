package io.qwenimage.engine.model;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.JsonNode;
import io.qwenimage.engine.JsonFiles;
import io.qwenimage.engine.ModelException;
import io.qwenimage.engine.onnx.Tensors;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

/**
 * Qwen-Image's 16-channel VAE, split as optimum splits SD's: the decoder ({@code latent_sample} (1, 16, 1, h, w) to
 * {@code sample} (1, 3, 1, 8h, 8w)) and, for image-to-image, the encoder ({@code sample} to
 * {@code latent_parameters} (1, 32, 1, h, w), of which the mean is used: deterministic, as the edit pipeline and
 * our reference facts have it; diffusers' QwenImageImg2ImgPipeline samples the posterior instead, which differs
 * by the VAE's posterior spread).
 * Latents are normalised per channel with the config's {@code latents_mean} / {@code latents_std}:
 * the transformer works on {@code (z - mean) / std}.
 */
public final class QwenVaeStages implements AutoCloseable {

    /** Latent channels. */
    public static final int CHANNELS = 16;

    private final OrtEnvironment env;
    private final OrtSession decoder;
    private final OrtSession encoder;       // null without image-to-image
    private final OnnxJavaType decoderType;
    private final OnnxJavaType encoderType;
    private final float[] mean;
    private final float[] std;

    QwenVaeStages(OrtEnvironment env, OrtSession decoder, Path decoderFile, OrtSession encoder, Path encoderFile,
                  Path config) {
        this.env = env;
        this.decoder = decoder;
        this.encoder = encoder;
        Map<String, NodeInfo> dec = Signatures.inputs(decoder, decoderFile);
        this.decoderType = Signatures.require(dec, "latent_sample", decoderFile, "input").type;
        this.encoderType = encoder == null ? null
                : Signatures.require(Signatures.inputs(encoder, encoderFile), "sample", encoderFile, "input").type;
        JsonNode c = JsonFiles.read(config);
        this.mean = channels(c, "latents_mean", config);
        this.std = channels(c, "latents_std", config);
        for (float s : std) {
            if (!(s > 0)) {
                throw ModelException.of(config, "latents_std must be positive, got " + s);
            }
        }
    }

    private static float[] channels(JsonNode c, String key, Path config) {
        JsonNode values = c.path(key);
        if (!values.isArray() || values.size() != CHANNELS) {
            throw ModelException.of(config, key + " must list " + CHANNELS + " numbers");
        }
        float[] out = new float[CHANNELS];
        for (int i = 0; i < CHANNELS; i++) {
            out[i] = (float) values.get(i).asDouble();
        }
        return out;
    }

    /** True when a VAE encoder is present. */
    public boolean encodes() {
        return encoder != null;
    }

    /** Decodes normalised latents {@code [16][h][w]} of one picture to pixels {@code [3][8h][8w]} in [-1, 1]. */
    public float[] decode(float[] normalised, int h, int w, OrtSession.RunOptions run) throws OrtException {
        int plane = h * w;
        float[] z = new float[normalised.length];
        for (int c = 0; c < CHANNELS; c++) {
            for (int k = c * plane; k < (c + 1) * plane; k++) {
                z[k] = normalised[k] * std[c] + mean[c];
            }
        }
        try (OnnxTensor in = Tensors.floats(env, decoderType, z, new long[] {1, CHANNELS, 1, h, w});
             OrtSession.Result result = Tensors.tracked(decoder.run(Map.of("latent_sample", in),
                     Set.of(outputName(decoder)), run))) {
            return Tensors.toFloats((OnnxTensor) result.get(outputName(decoder)).orElseThrow());
        }
    }

    /** Encodes pixels {@code [3][H][W]} in [-1, 1] of one picture to normalised latents {@code [16][H/8][W/8]}. */
    public float[] encode(float[] pixels, int height, int width, OrtSession.RunOptions run) throws OrtException {
        if (encoder == null) {
            throw new IllegalArgumentException("this model has no vae_encoder, so it cannot do image-to-image");
        }
        try (OnnxTensor in = Tensors.floats(env, encoderType, pixels, new long[] {1, 3, 1, height, width});
             OrtSession.Result result = Tensors.tracked(encoder.run(Map.of("sample", in),
                     Set.of(outputName(encoder)), run))) {
            float[] moments = Tensors.toFloats((OnnxTensor) result.get(outputName(encoder)).orElseThrow());
            int plane = (height / 8) * (width / 8);
            float[] z = new float[CHANNELS * plane];
            for (int c = 0; c < CHANNELS; c++) {
                for (int k = c * plane; k < (c + 1) * plane; k++) {
                    z[k] = (moments[k] - mean[c]) / std[c];
                }
            }
            return z;
        }
    }

    private static String outputName(OrtSession session) throws OrtException {
        Set<String> names = session.getOutputNames();
        return names.contains("sample") ? "sample" : names.contains("latent_parameters") ? "latent_parameters"
                : names.iterator().next();
    }

    @Override
    public void close() throws OrtException {
        try {
            decoder.close();
        } finally {
            if (encoder != null) {
                encoder.close();
            }
        }
    }
}
