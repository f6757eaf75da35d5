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
 * LCM-distilled UNets; SDXL's added conditioning {@code text_embeds} and {@code time_ids}.
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
    private final OnnxJavaType textEmbedsType;
    private final OnnxJavaType timeIdsType;
    private final String output;
    private final OnnxJavaType outputType;
    private final int inChannels;

    UnetStage(OrtEnvironment env, OrtSession session, Path file) {
        this.env = env;
        this.session = session;
        Map<String, NodeInfo> inputs = Signatures.inputs(session, file);
        TensorInfo sample = Signatures.require(inputs, "sample", file, "input");
        TensorInfo timestep = Signatures.require(inputs, "timestep", file, "input");
        TensorInfo context = Signatures.require(inputs, "encoder_hidden_states", file, "input");
        this.sampleType = sample.type;
        long[] sampleShape = sample.getShape();
        this.inChannels = sampleShape.length == 4 && sampleShape[1] > 0 ? (int) sampleShape[1] : 4;
        if (inChannels != 4 && inChannels != 9) {
            throw ModelException.of(file, "sample has " + inChannels + " channels; this service serves UNets of 4 "
                    + "(latents) and 9 (inpainting: latents, mask, masked-picture latents)"
                    + (inChannels == 8 ? ", not InstructPix2Pix's 8" : ""));
        }
        this.contextType = context.type;
        this.timestepType = timestep.type;
        this.timestepShape = timestep.getShape();
        if (timestepShape.length > 1) {
            throw ModelException.of(file, "timestep must be a scalar or a vector, not rank " + timestepShape.length);
        }
        TensorInfo cond = inputs.containsKey("timestep_cond") ? (TensorInfo) inputs.get("timestep_cond").getInfo() : null;
        this.condType = cond == null ? null : cond.type;
        this.condDim = cond == null ? 0 : (int) cond.getShape()[cond.getShape().length - 1];
        if (inputs.containsKey("text_embeds") != inputs.containsKey("time_ids")) {
            throw ModelException.of(file, "has " + (inputs.containsKey("text_embeds") ? "text_embeds but no time_ids"
                    : "time_ids but no text_embeds") + " input: an SDXL UNet takes both");
        }
        TensorInfo textEmbeds = inputs.containsKey("text_embeds") ? (TensorInfo) inputs.get("text_embeds").getInfo()
                : null;
        TensorInfo timeIds = textEmbeds == null ? null : (TensorInfo) inputs.get("time_ids").getInfo();
        this.textEmbedsType = textEmbeds == null ? null : textEmbeds.type;
        this.timeIdsType = timeIds == null ? null : timeIds.type;
        long[] idsShape = timeIds == null ? new long[0] : timeIds.getShape();
        if (timeIds != null && idsShape[idsShape.length - 1] == 5) {
            throw ModelException.of(file, "takes 5 time_ids (an SDXL refiner, conditioned on an aesthetic score), "
                    + "which this service does not serve; use an SDXL base model");
        }
        Map<String, NodeInfo> outputs = Signatures.outputs(session, file);
        this.output = outputs.containsKey("out_sample") ? "out_sample" : outputs.keySet().iterator().next();
        this.outputType = outputs.get(output).getInfo() instanceof TensorInfo info ? info.type : sampleType;
    }

    /** float32 or float16: the precision the model takes its latents in. */
    public OnnxJavaType sampleType() {
        return sampleType;
    }

    /**
     * True for a dedicated inpainting UNet ({@code in_channels} 9): besides the latents it takes the mask and the
     * masked picture's latents, channels 4 and 5-8 of its input.
     */
    public boolean inpaints() {
        return inChannels == 9;
    }

    /** Channels of the UNet's input: 4, or 9 for an inpainting UNet. */
    public int inChannels() {
        return inChannels;
    }

    /** True for LCM-distilled UNets, which take a guidance embedding instead of a CFG batch. */
    public boolean takesTimestepCond() {
        return condType != null;
    }

    /** Width of the guidance embedding LCM UNets expect (time_cond_proj_dim). */
    public int timestepCondDim() {
        return condDim;
    }

    /** True for SDXL UNets, which take pooled text embeddings and size/crop time ids besides the text. */
    public boolean takesAddedConditioning() {
        return textEmbedsType != null;
    }

    /**
     * Binds the inputs and output of one denoising loop in {@code workspace}'s memory: the conditioning (text
     * embeddings, LCM's guidance embedding, SDXL's pooled embeddings and time ids) is written once, the latents and
     * timestep are rewritten each step, the output is pinned, so a step allocates nothing tensor-sized.
     *
     * @param rows         batch rows of each call (images, twice that with classifier-free guidance)
     * @param conditioning one row per batch row
     */
    public UnetCall bind(Workspace workspace, int rows, int latentHeight, int latentWidth,
                         UnetConditioning conditioning) throws OrtException {
        return new UnetCall(this, workspace, rows, latentHeight, latentWidth, conditioning);
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

    OnnxJavaType textEmbedsType() {
        return textEmbedsType;
    }

    OnnxJavaType timeIdsType() {
        return timeIdsType;
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
