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
 * The VAE decoder graph: unscaled latents [1, C, h, w] to pixels [1, 3, 8h, 8w] in [-1, 1]; C is 4 for the Stable
 * Diffusion families and 16 for SD3 and FLUX ({@code latent_channels}).
 */
public final class VaeDecoderStage implements AutoCloseable {

    private final OrtEnvironment env;
    private final OrtSession session;
    private final OnnxJavaType type;
    private final String output;
    private final int channels;

    VaeDecoderStage(OrtEnvironment env, OrtSession session, Path file) {
        this(env, session, file, 4);
    }

    VaeDecoderStage(OrtEnvironment env, OrtSession session, Path file, int channels) {
        this.env = env;
        this.channels = channels;
        this.session = session;
        Map<String, NodeInfo> inputs = Signatures.inputs(session, file);
        this.type = Signatures.require(inputs, "latent_sample", file, "input").type;
        Map<String, NodeInfo> outputs = Signatures.outputs(session, file);
        this.output = outputs.containsKey("sample") ? "sample" : outputs.keySet().iterator().next();
    }

    /** Decodes one image (diffusers' ONNX pipelines decode one latent at a time too). */
    public float[] decode(float[] latent, int height, int width, OrtSession.RunOptions run) throws OrtException {
        try (OnnxTensor in = Tensors.floats(env, type, latent, new long[] {1, channels, height, width});
             OrtSession.Result result = Tensors.tracked(session.run(Map.of("latent_sample", in), Set.of(output), run))) {
            return Tensors.toFloats((OnnxTensor) result.get(output).orElseThrow());
        }
    }

    @Override
    public void close() throws OrtException {
        session.close();
    }
}
