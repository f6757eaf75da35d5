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

/** The text encoder graph: token ids (int32 or int64, as declared) to per-token hidden states. */
public final class TextEncoderStage implements AutoCloseable {

    private final OrtEnvironment env;
    private final OrtSession session;
    private final OnnxJavaType idsType;
    private final String output;

    TextEncoderStage(OrtEnvironment env, OrtSession session, Path file) {
        this.env = env;
        this.session = session;
        Map<String, NodeInfo> inputs = Signatures.inputs(session, file);
        TensorInfo ids = Signatures.require(inputs, "input_ids", file, "input");
        if (ids.type != OnnxJavaType.INT32 && ids.type != OnnxJavaType.INT64) {
            throw ModelException.of(file, "input_ids must be int32 or int64, not " + ids.type);
        }
        this.idsType = ids.type;
        Map<String, NodeInfo> outputs = Signatures.outputs(session, file);
        this.output = outputs.containsKey("last_hidden_state") ? "last_hidden_state" : outputs.keySet().iterator().next();
    }

    /** Element type of input_ids the graph declares. */
    public OnnxJavaType idsType() {
        return idsType;
    }

    /** Hidden states for a batch of tokenized prompts, each of the same length. */
    public Embeddings encode(int[][] ids) throws OrtException {
        int batch = ids.length;
        int length = ids[0].length;
        double[] flat = new double[batch * length];
        for (int b = 0; b < batch; b++) {
            for (int i = 0; i < length; i++) {
                flat[b * length + i] = ids[b][i];
            }
        }
        try (OnnxTensor input = Tensors.numbers(env, idsType, flat, new long[] {batch, length});
             OrtSession.Result result = Tensors.tracked(session.run(Map.of("input_ids", input), java.util.Set.of(output)))) {
            OnnxTensor hidden = (OnnxTensor) result.get(output).orElseThrow();
            long[] shape = hidden.getInfo().getShape();
            return new Embeddings(Tensors.toFloats(hidden), (int) shape[0], (int) shape[1], (int) shape[2]);
        }
    }

    @Override
    public void close() throws OrtException {
        session.close();
    }
}
