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
import io.qwenimage.engine.qwen.QwenRotaryTables;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Qwen-Image's transformer graph in our convention (docs/model-formats.md): packed latents, text states and their
 * mask, sigma as the timestep, and the rotary tables as inputs; the velocity out. Every input's element type is
 * read from the session, so float32, float16 and bfloat16 exports are fed alike.
 */
public final class QwenTransformerStage implements AutoCloseable {

    static final List<String> INPUTS = List.of("hidden_states", "encoder_hidden_states",
            "encoder_hidden_states_mask", "timestep", "image_rotary_cos", "image_rotary_sin", "text_rotary_cos",
            "text_rotary_sin");

    private final OrtEnvironment env;
    private final OrtSession session;
    private final Map<String, OnnxJavaType> types = new HashMap<>();
    private final String output;
    private final int tokenWidth;

    QwenTransformerStage(OrtEnvironment env, OrtSession session, Path file) {
        this.env = env;
        this.session = session;
        Map<String, NodeInfo> inputs = Signatures.inputs(session, file);
        for (String name : INPUTS) {
            types.put(name, Signatures.require(inputs, name, file, "input").type);
        }
        long[] hidden = ((TensorInfo) inputs.get("hidden_states").getInfo()).getShape();
        this.tokenWidth = hidden.length == 3 && hidden[2] > 0 ? (int) hidden[2] : 64;
        if (tokenWidth != 64) {
            throw ModelException.of(file, "takes tokens of " + tokenWidth + " values; Qwen-Image packs 16 latent "
                    + "channels 2x2 into 64");
        }
        Map<String, NodeInfo> outputs = Signatures.outputs(session, file);
        this.output = outputs.containsKey("sample") ? "sample" : outputs.keySet().iterator().next();
    }

    /**
     * The text side of a call: every row's states right-padded to {@code tokens}, the mask (1 for a token, 0 for
     * padding) and the text rotary table. The same for every step of a run.
     *
     * @param states {@code rows x tokens x width}
     * @param mask   {@code rows x tokens}
     */
    public record Text(float[] states, long[] mask, int tokens, int width, QwenRotaryTables.Table rotary) {
    }

    /** The element type of the packed latents input (float32, float16 or bfloat16). */
    public OnnxJavaType latentType() {
        return types.get("hidden_states");
    }

    /**
     * One call over {@code rows} pictures that share a size and a text length.
     *
     * @param latents packed latents, {@code rows x imageTokens x 64}
     * @param sigma   the step's sigma, the same for every row
     * @param image   the image tokens' rotary table
     * @return the velocity, {@code rows x imageTokens x 64}
     */
    public float[] predict(int rows, float[] latents, int imageTokens, Text text, double sigma,
                           QwenRotaryTables.Table image, OrtSession.RunOptions run) throws OrtException {
        long[] mask = text.mask();
        int textTokens = text.tokens();
        QwenRotaryTables.Table words = text.rotary();
        double[] maskValues = new double[mask.length];
        for (int i = 0; i < mask.length; i++) {
            maskValues[i] = mask[i];
        }
        double[] sigmas = new double[rows];
        Arrays.fill(sigmas, (float) sigma);
        int pairs = image.width();
        try (OnnxTensor h = Tensors.floats(env, types.get("hidden_states"), latents,
                     new long[] {rows, imageTokens, tokenWidth});
             OnnxTensor e = Tensors.floats(env, types.get("encoder_hidden_states"), text.states(),
                     new long[] {rows, textTokens, text.width()});
             OnnxTensor m = Tensors.numbers(env, types.get("encoder_hidden_states_mask"), maskValues,
                     new long[] {rows, textTokens});
             OnnxTensor t = Tensors.numbers(env, types.get("timestep"), sigmas, new long[] {rows});
             OnnxTensor ic = Tensors.floats(env, types.get("image_rotary_cos"), image.cos(),
                     new long[] {imageTokens, pairs});
             OnnxTensor is = Tensors.floats(env, types.get("image_rotary_sin"), image.sin(),
                     new long[] {imageTokens, pairs});
             OnnxTensor tc = Tensors.floats(env, types.get("text_rotary_cos"), words.cos(),
                     new long[] {textTokens, pairs});
             OnnxTensor ts = Tensors.floats(env, types.get("text_rotary_sin"), words.sin(),
                     new long[] {textTokens, pairs});
             OrtSession.Result result = Tensors.tracked(session.run(Map.of("hidden_states", h,
                     "encoder_hidden_states", e, "encoder_hidden_states_mask", m, "timestep", t,
                     "image_rotary_cos", ic, "image_rotary_sin", is, "text_rotary_cos", tc, "text_rotary_sin", ts),
                     Set.of(output), run))) {
            return Tensors.toFloats((OnnxTensor) result.get(output).orElseThrow());
        }
    }

    @Override
    public void close() throws OrtException {
        session.close();
    }
}
