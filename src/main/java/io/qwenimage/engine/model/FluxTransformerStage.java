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
 * FLUX.1's transformer as optimum exports it ({@code FluxTransformerOnnxConfig}): packed latents
 * {@code hidden_states} (rows, L, 64), {@code encoder_hidden_states} (T5), {@code pooled_projections} (CLIP),
 * {@code timestep} = t / 1000, {@code img_ids} (L, 3) = [0, row, col] and {@code txt_ids} (T, 3) = zeros (rank 3
 * with a batch axis in exports made with diffusers before 0.31), and {@code guidance} when the model is
 * guidance-distilled (FLUX.1-dev; the model multiplies it by 1000 inside); {@code out_hidden_states}, the velocity.
 * Element types are read from the session.
 */
public final class FluxTransformerStage implements AutoCloseable {

    private static final String[] REQUIRED = {"hidden_states", "encoder_hidden_states", "pooled_projections",
        "timestep", "img_ids", "txt_ids"};

    private final OrtEnvironment env;
    private final OrtSession session;
    private final Map<String, OnnxJavaType> types = new HashMap<>();
    private final boolean batchedIds;
    private final boolean guidance;
    private final String output;

    FluxTransformerStage(OrtEnvironment env, OrtSession session, Path file) {
        this.env = env;
        this.session = session;
        Map<String, NodeInfo> inputs = Signatures.inputs(session, file);
        for (String name : REQUIRED) {
            types.put(name, Signatures.require(inputs, name, file, "input").type);
        }
        this.guidance = inputs.containsKey("guidance");
        if (guidance) {
            types.put("guidance", Signatures.require(inputs, "guidance", file, "input").type);
        }
        long[] hidden = ((TensorInfo) inputs.get("hidden_states").getInfo()).getShape();
        if (hidden.length != 3 || (hidden[2] > 0 && hidden[2] != 64)) {
            throw ModelException.of(file, "hidden_states is " + Arrays.toString(hidden) + "; FLUX packs 16 latent "
                    + "channels 2x2 into tokens of 64: (batch, tokens, 64)");
        }
        int idsRank = ((TensorInfo) inputs.get("img_ids").getInfo()).getShape().length;
        if (idsRank != 2 && idsRank != 3) {
            throw ModelException.of(file, "img_ids must be (tokens, 3) or (batch, tokens, 3), not rank " + idsRank);
        }
        this.batchedIds = idsRank == 3;
        Map<String, NodeInfo> outputs = Signatures.outputs(session, file);
        this.output = outputs.containsKey("out_hidden_states") ? "out_hidden_states"
                : outputs.keySet().iterator().next();
    }

    /** True for a guidance-distilled transformer (FLUX.1-dev: a {@code guidance} input). */
    public boolean takesGuidance() {
        return guidance;
    }

    /** The element type of the packed latents input. */
    public OnnxJavaType latentType() {
        return types.get("hidden_states");
    }

    /**
     * One call over {@code rows} pictures that share a size and a text length.
     *
     * @param latents   packed latents, {@code rows x imageTokens x 64}
     * @param timestep  t / 1000 (diffusers' float32 arithmetic), the same for every row
     * @param guidance  each row's distilled guidance, or null when the model takes none
     * @param imageIds  {@code imageTokens x 3}: [0, row, col] of each packed token
     * @return the velocity, {@code rows x imageTokens x 64}
     */
    public float[] predict(int rows, float[] latents, int imageTokens, FlowText text, double timestep,
                           double[] guidance, double[] imageIds, OrtSession.RunOptions run) throws OrtException {
        double[] t = new double[rows];
        Arrays.fill(t, timestep);
        double[] textIds = new double[text.tokens() * 3];
        Map<String, OnnxTensor> feed = new HashMap<>();
        try {
            feed.put("hidden_states", Tensors.floats(env, types.get("hidden_states"), latents,
                    new long[] {rows, imageTokens, 64}));
            feed.put("encoder_hidden_states", Tensors.floats(env, types.get("encoder_hidden_states"), text.states(),
                    new long[] {rows, text.tokens(), text.width()}));
            feed.put("pooled_projections", Tensors.floats(env, types.get("pooled_projections"), text.pooled(),
                    new long[] {rows, text.pooledWidth()}));
            feed.put("timestep", Tensors.numbers(env, types.get("timestep"), t, new long[] {rows}));
            feed.put("img_ids", ids(types.get("img_ids"), imageIds, imageTokens, rows));
            feed.put("txt_ids", ids(types.get("txt_ids"), textIds, text.tokens(), rows));
            if (this.guidance) {
                if (guidance == null) {
                    throw new IllegalArgumentException("this FLUX transformer takes a guidance value");
                }
                feed.put("guidance", Tensors.numbers(env, types.get("guidance"), guidance, new long[] {rows}));
            }
            try (OrtSession.Result result = Tensors.tracked(session.run(feed, Set.of(output), run))) {
                return Tensors.toFloats((OnnxTensor) result.get(output).orElseThrow());
            }
        } finally {
            for (OnnxTensor value : feed.values()) {
                value.close();
            }
        }
    }

    private OnnxTensor ids(OnnxJavaType type, double[] ids, int tokens, int rows) throws OrtException {
        if (!batchedIds) {
            return Tensors.numbers(env, type, ids, new long[] {tokens, 3});
        }
        double[] repeated = new double[rows * ids.length];
        for (int r = 0; r < rows; r++) {
            System.arraycopy(ids, 0, repeated, r * ids.length, ids.length);
        }
        return Tensors.numbers(env, type, repeated, new long[] {rows, tokens, 3});
    }

    @Override
    public void close() throws OrtException {
        session.close();
    }
}
