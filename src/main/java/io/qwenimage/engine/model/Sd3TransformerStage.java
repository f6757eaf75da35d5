package io.qwenimage.engine.model;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import io.qwenimage.engine.ModelException;
import io.qwenimage.engine.onnx.Tensors;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * SD3's transformer as optimum exports it ({@code SD3TransformerOnnxConfig}): unpacked latents
 * {@code hidden_states} (rows, 16, h, w) (the model patches them itself), {@code encoder_hidden_states} (CLIP-L +
 * CLIP-G + T5), {@code pooled_projections}, {@code timestep} on the 0..1000 scale; {@code out_hidden_states}, the
 * velocity. Element types are read from the session.
 */
public final class Sd3TransformerStage implements AutoCloseable {

    private static final String[] REQUIRED = {"hidden_states", "encoder_hidden_states", "pooled_projections",
        "timestep"};

    private final OrtEnvironment env;
    private final OrtSession session;
    private final Map<String, OnnxJavaType> types = new HashMap<>();
    private final String output;

    Sd3TransformerStage(OrtEnvironment env, OrtSession session, Path file) {
        this.env = env;
        this.session = session;
        Map<String, NodeInfo> inputs = Signatures.inputs(session, file);
        for (String name : REQUIRED) {
            types.put(name, Signatures.require(inputs, name, file, "input").type);
        }
        long[] hidden = ((TensorInfo) inputs.get("hidden_states").getInfo()).getShape();
        if (hidden.length != 4 || (hidden[1] > 0 && hidden[1] != 16)) {
            throw ModelException.of(file, "hidden_states is " + Arrays.toString(hidden) + "; SD3 takes unpacked "
                    + "latents (batch, 16, height, width)");
        }
        Map<String, NodeInfo> outputs = Signatures.outputs(session, file);
        this.output = outputs.containsKey("out_hidden_states") ? "out_hidden_states"
                : outputs.keySet().iterator().next();
    }

    /** The element type of the latents input. */
    public OnnxJavaType latentType() {
        return types.get("hidden_states");
    }

    /**
     * One call over {@code rows} pictures of {@code latentH x latentW} latents that share a text length.
     *
     * @param timestep sigma x 1000 (float32), the same for every row
     * @return the velocity, {@code rows x 16 x latentH x latentW}
     */
    public float[] predict(int rows, float[] latents, int latentH, int latentW, FlowText text, double timestep,
                           OrtSession.RunOptions run) throws OrtException {
        double[] t = new double[rows];
        Arrays.fill(t, timestep);
        try (OnnxTensor h = Tensors.floats(env, types.get("hidden_states"), latents,
                     new long[] {rows, 16, latentH, latentW});
             OnnxTensor e = Tensors.floats(env, types.get("encoder_hidden_states"), text.states(),
                     new long[] {rows, text.tokens(), text.width()});
             OnnxTensor p = Tensors.floats(env, types.get("pooled_projections"), text.pooled(),
                     new long[] {rows, text.pooledWidth()});
             OnnxTensor ts = Tensors.numbers(env, types.get("timestep"), t, new long[] {rows});
             OrtSession.Result result = Tensors.tracked(session.run(Map.of("hidden_states", h,
                     "encoder_hidden_states", e, "pooled_projections", p, "timestep", ts), Set.of(output), run))) {
            return Tensors.toFloats((OnnxTensor) result.get(output).orElseThrow());
        }
    }

    @Override
    public void close() throws OrtException {
        session.close();
    }
}
