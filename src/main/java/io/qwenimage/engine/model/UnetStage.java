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
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The UNet graph. Builds its inputs in the declared types and ranks: {@code timestep} int64/int32/float32/float16
 * as a scalar (optimum >= 1.24) or one value per batch entry (legacy exports); {@code timestep_cond} for
 * LCM-distilled UNets.
 */
public final class UnetStage implements AutoCloseable {

    private final OrtEnvironment env;
    private final OrtSession session;
    private final OnnxJavaType sampleType;
    private final OnnxJavaType contextType;
    private final OnnxJavaType timestepType;
    private final long[] timestepShape;
    private final OnnxJavaType condType;
    private final int condDim;
    private final String output;

    UnetStage(OrtEnvironment env, OrtSession session, Path file) {
        this.env = env;
        this.session = session;
        Map<String, NodeInfo> inputs = Signatures.inputs(session, file);
        if (inputs.containsKey("text_embeds") || inputs.containsKey("time_ids")) {
            throw ModelException.of(file, "is an SDXL UNet (text_embeds/time_ids inputs); SDXL is not supported");
        }
        TensorInfo sample = Signatures.require(inputs, "sample", file, "input");
        TensorInfo timestep = Signatures.require(inputs, "timestep", file, "input");
        TensorInfo context = Signatures.require(inputs, "encoder_hidden_states", file, "input");
        this.sampleType = sample.type;
        this.contextType = context.type;
        this.timestepType = timestep.type;
        this.timestepShape = timestep.getShape();
        if (timestepShape.length > 1) {
            throw ModelException.of(file, "timestep must be a scalar or a vector, not rank " + timestepShape.length);
        }
        TensorInfo cond = inputs.containsKey("timestep_cond") ? (TensorInfo) inputs.get("timestep_cond").getInfo() : null;
        this.condType = cond == null ? null : cond.type;
        this.condDim = cond == null ? 0 : (int) cond.getShape()[cond.getShape().length - 1];
        Map<String, NodeInfo> outputs = Signatures.outputs(session, file);
        this.output = outputs.containsKey("out_sample") ? "out_sample" : outputs.keySet().iterator().next();
    }

    /** float32 or float16: the precision the model takes its latents in. */
    public OnnxJavaType sampleType() {
        return sampleType;
    }

    /** True for LCM-distilled UNets, which take a guidance embedding instead of a CFG batch. */
    public boolean takesTimestepCond() {
        return condType != null;
    }

    /** Width of the guidance embedding LCM UNets expect (time_cond_proj_dim). */
    public int timestepCondDim() {
        return condDim;
    }

    /**
     * One UNet evaluation.
     *
     * @param sample       latents [batch, 4, h, w], already scaled for the scheduler
     * @param timestep     the scheduler's timestep (rounded for integer graphs)
     * @param context      text embeddings, one row per batch entry
     * @param timestepCond LCM's guidance embedding [batch, dim] or null
     * @param run          run options whose terminate flag cancels this call
     */
    public float[] predict(float[] sample, long[] shape, double timestep, Embeddings context, float[] timestepCond,
                           OrtSession.RunOptions run) throws OrtException {
        int batch = (int) shape[0];
        long[] tShape = timestepShape.length == 0 ? new long[0]
                : new long[] {timestepShape[0] == 1 ? 1 : batch};
        double[] t = new double[tShape.length == 0 ? 1 : (int) tShape[0]];
        java.util.Arrays.fill(t, timestepType == OnnxJavaType.INT64 || timestepType == OnnxJavaType.INT32
                ? Math.rint(timestep) : timestep);
        Map<String, OnnxTensor> inputs = new HashMap<>();
        try {
            inputs.put("sample", Tensors.floats(env, sampleType, sample, shape));
            inputs.put("timestep", Tensors.numbers(env, timestepType, t, tShape));
            inputs.put("encoder_hidden_states", Tensors.floats(env, contextType, context.data(),
                    new long[] {context.batch(), context.tokens(), context.width()}));
            if (condType != null) {
                inputs.put("timestep_cond", Tensors.floats(env, condType, timestepCond, new long[] {batch, condDim}));
            }
            try (OrtSession.Result result = Tensors.tracked(session.run(inputs, Set.of(output), run))) {
                return Tensors.toFloats((OnnxTensor) result.get(output).orElseThrow());
            }
        } finally {
            inputs.values().forEach(OnnxTensor::close);
        }
    }

    @Override
    public void close() throws OrtException {
        session.close();
    }
}
