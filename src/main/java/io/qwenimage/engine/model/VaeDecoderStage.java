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

/** The VAE decoder graph: unscaled latents [1, 4, h, w] to pixels [1, 3, 8h, 8w] in [-1, 1]. */
public final class VaeDecoderStage implements AutoCloseable {

    private final OrtEnvironment env;
    private final OrtSession session;
    private final OnnxJavaType type;
    private final String output;

    VaeDecoderStage(OrtEnvironment env, OrtSession session, Path file) {
        this.env = env;
        this.session = session;
        Map<String, NodeInfo> inputs = Signatures.inputs(session, file);
        this.type = Signatures.require(inputs, "latent_sample", file, "input").type;
        Map<String, NodeInfo> outputs = Signatures.outputs(session, file);
        this.output = outputs.containsKey("sample") ? "sample" : outputs.keySet().iterator().next();
    }

    /** Decodes one image (diffusers' ONNX pipelines decode one latent at a time too). */
    public float[] decode(float[] latent, int height, int width, OrtSession.RunOptions run) throws OrtException {
        try (OnnxTensor in = Tensors.floats(env, type, latent, new long[] {1, 4, height, width});
             OrtSession.Result result = Tensors.tracked(session.run(Map.of("latent_sample", in), Set.of(output), run))) {
            return Tensors.toFloats((OnnxTensor) result.get(output).orElseThrow());
        }
    }

    @Override
    public void close() throws OrtException {
        session.close();
    }
}
