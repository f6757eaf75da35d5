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
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The text encoder graph: token ids (int32 or int64, as declared) to per-token hidden states; for SDXL also the
 * penultimate layer's hidden states and the pooled vector, found among the graph's outputs by their names
 * (optimum exports every layer as {@code hidden_states.0} … {@code hidden_states.N}).
 */
public final class TextEncoderStage implements AutoCloseable {

    private static final Pattern LAYER = Pattern.compile("hidden_states\\.(\\d+)");

    /**
     * What SDXL reads of one text encoder for a batch of prompts.
     *
     * @param hidden      the penultimate layer's hidden states ({@code hidden_states[-2]})
     * @param pooled      the pooled vector of each prompt, row-major [batch, pooledWidth]
     * @param pooledWidth its width
     */
    public record PooledEncoding(Embeddings hidden, float[] pooled, int pooledWidth) {
    }

    /**
     * The pooled vector of each prompt of a batch (FLUX reads only this of its CLIP encoder).
     *
     * @param values row-major [batch, width]
     */
    public record Pooled(float[] values, int width) {
    }

    private final OrtEnvironment env;
    private final OrtSession session;
    private final Path file;
    private final OnnxJavaType idsType;
    private final String output;
    private final String penultimate;
    private final String pooled;

    TextEncoderStage(OrtEnvironment env, OrtSession session, Path file) {
        this.env = env;
        this.session = session;
        this.file = file;
        Map<String, NodeInfo> inputs = Signatures.inputs(session, file);
        TensorInfo ids = Signatures.require(inputs, "input_ids", file, "input");
        if (ids.type != OnnxJavaType.INT32 && ids.type != OnnxJavaType.INT64) {
            throw ModelException.of(file, "input_ids must be int32 or int64, not " + ids.type);
        }
        this.idsType = ids.type;
        Map<String, NodeInfo> outputs = Signatures.outputs(session, file);
        this.output = outputs.containsKey("last_hidden_state") ? "last_hidden_state" : outputs.keySet().iterator().next();
        int last = -1;
        for (String name : outputs.keySet()) {
            Matcher m = LAYER.matcher(name);
            if (m.matches()) {
                last = Math.max(last, Integer.parseInt(m.group(1)));
            }
        }
        // hidden_states.0 is the embeddings' output: a graph with layers has at least .0 and .1
        this.penultimate = last >= 1 ? "hidden_states." + (last - 1) : null;
        this.pooled = outputs.containsKey("text_embeds") ? "text_embeds"
                : outputs.containsKey("pooler_output") ? "pooler_output" : null;
    }

    /** Element type of input_ids the graph declares. */
    public OnnxJavaType idsType() {
        return idsType;
    }

    /** True when the graph exports every layer's hidden states and a pooled vector, as SDXL needs. */
    public boolean servesSdxl() {
        return penultimate != null && pooled != null;
    }

    /** Hidden states for a batch of tokenized prompts, each of the same length. */
    public Embeddings encode(int[][] ids) throws OrtException {
        try (OnnxTensor input = ids(ids);
             OrtSession.Result result = Tensors.tracked(session.run(Map.of("input_ids", input), Set.of(output)))) {
            return embeddings((OnnxTensor) result.get(output).orElseThrow());
        }
    }

    /**
     * SDXL's reading of a batch of tokenized prompts: the penultimate hidden states and the pooled vector
     * ({@code text_embeds} of a projection model, else {@code pooler_output}).
     *
     * @throws io.qwenimage.engine.ModelException when the graph does not export them
     */
    public PooledEncoding encodePooled(int[][] ids) throws OrtException {
        if (!servesSdxl()) {
            throw ModelException.of(file, "exports no hidden_states.N outputs and pooled output (text_embeds or "
                    + "pooler_output), which SDXL reads; export it with optimum-cli export onnx");
        }
        try (OnnxTensor input = ids(ids);
             OrtSession.Result result = Tensors.tracked(session.run(Map.of("input_ids", input),
                     Set.of(penultimate, pooled)))) {
            OnnxTensor vector = (OnnxTensor) result.get(pooled).orElseThrow();
            long[] shape = vector.getInfo().getShape();
            return new PooledEncoding(embeddings((OnnxTensor) result.get(penultimate).orElseThrow()),
                    Tensors.toFloats(vector), (int) shape[shape.length - 1]);
        }
    }

    /**
     * The pooled vector of each prompt ({@code text_embeds} of a projection model, else {@code pooler_output}).
     *
     * @throws io.qwenimage.engine.ModelException when the graph has neither output
     */
    public Pooled pooled(int[][] ids) throws OrtException {
        if (pooled == null) {
            throw ModelException.of(file, "has no pooled output (text_embeds or pooler_output); export it with "
                    + "optimum-cli export onnx");
        }
        try (OnnxTensor input = ids(ids);
             OrtSession.Result result = Tensors.tracked(session.run(Map.of("input_ids", input), Set.of(pooled)))) {
            OnnxTensor vector = (OnnxTensor) result.get(pooled).orElseThrow();
            long[] shape = vector.getInfo().getShape();
            return new Pooled(Tensors.toFloats(vector), (int) shape[shape.length - 1]);
        }
    }

    /** True when the graph has a pooled output. */
    public boolean hasPooled() {
        return pooled != null;
    }

    private OnnxTensor ids(int[][] ids) throws OrtException {
        int batch = ids.length;
        int length = ids[0].length;
        double[] flat = new double[batch * length];
        for (int b = 0; b < batch; b++) {
            for (int i = 0; i < length; i++) {
                flat[b * length + i] = ids[b][i];
            }
        }
        return Tensors.numbers(env, idsType, flat, new long[] {batch, length});
    }

    private static Embeddings embeddings(OnnxTensor hidden) throws OrtException {
        long[] shape = hidden.getInfo().getShape();
        return new Embeddings(Tensors.toFloats(hidden), (int) shape[0], (int) shape[1], (int) shape[2]);
    }

    @Override
    public void close() throws OrtException {
        session.close();
    }
}
