package io.qwenimage.engine.model;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import io.qwenimage.engine.ModelException;
import io.qwenimage.engine.onnx.Workspace;
import java.nio.file.Path;
import java.util.Map;

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
    private final OnnxJavaType outputType;

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
        this.outputType = outputs.get(output).getInfo() instanceof TensorInfo info ? info.type : sampleType;
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
     * Binds the inputs and output of one denoising loop in {@code workspace}'s memory: the text embeddings and
     * LCM's guidance embedding are written once, the latents and timestep are rewritten each step, the output
     * is pinned, so a step allocates nothing tensor-sized.
     *
     * @param rows         batch rows of each call (images, twice that with classifier-free guidance)
     * @param context      text embeddings, one row per batch row
     * @param timestepCond LCM's guidance embedding [rows, dim] or null
     */
    public UnetCall bind(Workspace workspace, int rows, int latentHeight, int latentWidth, Embeddings context,
                         float[] timestepCond) throws OrtException {
        return new UnetCall(this, workspace, rows, latentHeight, latentWidth, context, timestepCond);
    }

    OrtEnvironment env() {
        return env;
    }

    OrtSession session() {
        return session;
    }

    OnnxJavaType contextType() {
        return contextType;
    }

    OnnxJavaType timestepType() {
        return timestepType;
    }

    /** Timestep tensor shape for a batch of {@code rows}: a scalar, or one value per row (legacy exports). */
    long[] timestepShape(int rows) {
        return timestepShape.length == 0 ? new long[0] : new long[] {timestepShape[0] == 1 ? 1 : rows};
    }

    OnnxJavaType condType() {
        return condType;
    }

    String output() {
        return output;
    }

    OnnxJavaType outputType() {
        return outputType;
    }

    @Override
    public void close() throws OrtException {
        session.close();
    }
}
