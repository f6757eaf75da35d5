package io.qwenimage.engine.model;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.qwenimage.engine.onnx.Tensors;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

/**
 * The VAE encoder graph: pixels [1, 3, H, W] in [-1, 1] to unscaled latents [1, 4, H/8, W/8]. Handles both
 * outputs exporters produce: {@code latent_parameters} (mean || log-variance; sampled here as diffusers'
 * img2img does) and {@code latent_sample} (already sampled inside the graph).
 */
public final class VaeEncoderStage implements AutoCloseable {

    private final OrtEnvironment env;
    private final OrtSession session;
    private final OnnxJavaType type;
    private final String output;

    VaeEncoderStage(OrtEnvironment env, OrtSession session, Path file) {
        this.env = env;
        this.session = session;
        Map<String, NodeInfo> inputs = Signatures.inputs(session, file);
        this.type = Signatures.require(inputs, "sample", file, "input").type;
        Map<String, NodeInfo> outputs = Signatures.outputs(session, file);
        this.output = outputs.containsKey("latent_parameters") ? "latent_parameters"
                : outputs.containsKey("latent_sample") ? "latent_sample" : outputs.keySet().iterator().next();
    }

    /** Name of the output in use: latent_parameters or latent_sample. */
    public String outputName() {
        return output;
    }

    /**
     * @param noise N(0,1) values for sampling the latent distribution (length 4 x H/8 x W/8)
     */
    public float[] encode(float[] pixels, int height, int width, float[] noise, OrtSession.RunOptions run)
            throws OrtException {
        try (OnnxTensor in = Tensors.floats(env, type, pixels, new long[] {1, 3, height, width});
             OrtSession.Result result = Tensors.tracked(session.run(Map.of("sample", in), Set.of(output), run))) {
            OnnxTensor out = (OnnxTensor) result.get(output).orElseThrow();
            float[] values = Tensors.toFloats(out);
            int channels = (int) out.getInfo().getShape()[1];
            if (channels == 4) {
                return values;
            }
            int plane = values.length / channels;
            float[] latent = new float[4 * plane];
            for (int i = 0; i < latent.length; i++) {
                double logvar = Math.max(-30, Math.min(20, values[4 * plane + i]));
                latent[i] = (float) (values[i] + Math.exp(0.5 * logvar) * noise[i]);
            }
            return latent;
        }
    }

    @Override
    public void close() throws OrtException {
        session.close();
    }
}
