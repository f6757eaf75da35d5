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
 * Qwen-Image's text encoder graph (the Qwen2.5-VL language model): templated prompt ids and their attention mask
 * in, the last hidden state out ({@code rows x tokens x width}). What is kept of it (the template's first 34
 * tokens dropped, padding masked) is the pipeline's business.
 */
public final class QwenTextEncoderStage implements AutoCloseable {

    /** The last hidden state of a batch of prompts. */
    public record Hidden(int rows, int tokens, int width, float[] values) {
    }

    private final OrtEnvironment env;
    private final OrtSession session;
    private final OnnxJavaType idsType;
    private final OnnxJavaType maskType;
    private final String output;

    QwenTextEncoderStage(OrtEnvironment env, OrtSession session, Path file) {
        this.env = env;
        this.session = session;
        Map<String, NodeInfo> inputs = Signatures.inputs(session, file);
        this.idsType = Signatures.require(inputs, "input_ids", file, "input").type;
        this.maskType = Signatures.require(inputs, "attention_mask", file, "input").type;
        Map<String, NodeInfo> outputs = Signatures.outputs(session, file);
        this.output = outputs.containsKey("last_hidden_state") ? "last_hidden_state"
                : outputs.keySet().iterator().next();
    }

    /** Encodes {@code rows} sequences of {@code tokens} ids each (padded, with their masks), row after row. */
    public Hidden encode(long[] ids, long[] mask, int rows, int tokens, OrtSession.RunOptions run)
            throws OrtException {
        double[] idValues = new double[ids.length];
        double[] maskValues = new double[mask.length];
        for (int i = 0; i < ids.length; i++) {
            idValues[i] = ids[i];
            maskValues[i] = mask[i];
        }
        try (OnnxTensor in = Tensors.numbers(env, idsType, idValues, new long[] {rows, tokens});
             OnnxTensor m = Tensors.numbers(env, maskType, maskValues, new long[] {rows, tokens});
             OrtSession.Result result = Tensors.tracked(session.run(Map.of("input_ids", in, "attention_mask", m),
                     Set.of(output), run))) {
            OnnxTensor out = (OnnxTensor) result.get(output).orElseThrow();
            long[] shape = out.getInfo().getShape();
            return new Hidden(rows, tokens, (int) shape[2], Tensors.toFloats(out));
        }
    }

    @Override
    public void close() throws OrtException {
        session.close();
    }
}
