package io.qwenimage.engine.model;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.qwenimage.engine.onnx.Tensors;
import io.qwenimage.engine.onnx.Workspace;
import io.qwenimage.engine.onnx.Workspace.Role;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The UNet of one denoising loop, bound once ({@link UnetStage#bind}): every input and the output are tensors
 * over a worker's reused direct memory, so a step writes the scaled latents and the timestep in place, runs, and
 * reads the prediction into a reused array. Close it when the loop ends (it closes its tensors, not the memory).
 */
public final class UnetCall implements AutoCloseable {

    private final UnetStage unet;
    private final Workspace workspace;
    private final ByteBuffer sample;
    private final ByteBuffer timestep;
    private final ByteBuffer output;
    private final int timesteps;
    private final int rowFloats;
    /** Input floats per batch row: the latents, then for an inpainting UNet the mask and masked latents. */
    private final int inRowFloats;
    private final int rows;
    private final Map<String, OnnxTensor> inputs = new HashMap<>();
    private final Map<String, OnnxTensor> pinned;
    private final Set<String> outputNames;
    private final List<OnnxTensor> owned;

    UnetCall(UnetStage unet, Workspace workspace, int rows, int latentHeight, int latentWidth,
             UnetConditioning conditioning) throws OrtException {
        Embeddings context = conditioning.context();
        float[] timestepCond = conditioning.timestepCond();
        this.unet = unet;
        this.workspace = workspace;
        this.rows = rows;
        this.rowFloats = 4 * latentHeight * latentWidth;
        this.inRowFloats = unet.inChannels() * latentHeight * latentWidth;
        long[] shape = {rows, 4, latentHeight, latentWidth};
        int floats = rows * rowFloats;
        OnnxJavaType sampleType = unet.sampleType();
        this.sample = workspace.direct(Role.UNET_SAMPLE, rows * inRowFloats * Tensors.elementBytes(sampleType));
        this.output = workspace.direct(Role.UNET_OUTPUT, floats * Tensors.elementBytes(unet.outputType()));
        float[] extra = conditioning.inpainting();
        if (unet.inpaints()) {
            if (extra == null || extra.length != rows * (inRowFloats - rowFloats)) {
                throw new IllegalArgumentException("an inpainting UNet needs the mask and the masked picture's "
                        + "latents for every batch row");
            }
            // the mask and masked-picture latents do not change from step to step: written once, behind the latents
            int extraFloats = inRowFloats - rowFloats;
            for (int r = 0; r < rows; r++) {
                Tensors.put(sample, sampleType, r * inRowFloats + rowFloats, extra, r * extraFloats, extraFloats, 1f);
            }
        }
        long[] tShape = unet.timestepShape(rows);
        this.timesteps = tShape.length == 0 ? 1 : (int) tShape[0];
        this.timestep = workspace.direct(Role.UNET_TIMESTEP, timesteps * Tensors.elementBytes(unet.timestepType()));
        ByteBuffer contextMemory = workspace.direct(Role.UNET_CONTEXT,
                context.data().length * Tensors.elementBytes(unet.contextType()));
        Tensors.put(contextMemory, unet.contextType(), 0, context.data(), 0, context.data().length, 1f);
        try {
            inputs.put("sample", Tensors.over(unet.env(), sample, sampleType,
                    new long[] {rows, unet.inChannels(), latentHeight, latentWidth}));
            inputs.put("timestep", Tensors.over(unet.env(), timestep, unet.timestepType(), tShape));
            inputs.put("encoder_hidden_states", Tensors.over(unet.env(), contextMemory, unet.contextType(),
                    new long[] {context.batch(), context.tokens(), context.width()}));
            if (unet.condType() != null) {
                inputs.put("timestep_cond", constant(Role.UNET_COND, unet.condType(), timestepCond,
                        new long[] {rows, unet.timestepCondDim()}));
            }
            if (unet.takesAddedConditioning()) {
                if (conditioning.textEmbeds() == null || conditioning.timeIds() == null) {
                    throw new IllegalArgumentException("an SDXL UNet needs text_embeds and time_ids");
                }
                inputs.put("text_embeds", constant(Role.UNET_TEXT_EMBEDS, unet.textEmbedsType(),
                        conditioning.textEmbeds(), new long[] {rows, conditioning.textEmbedsWidth()}));
                inputs.put("time_ids", constant(Role.UNET_TIME_IDS, unet.timeIdsType(), conditioning.timeIds(),
                        new long[] {rows, conditioning.timeIds().length / rows}));
            }
            this.pinned = Map.of(unet.output(), Tensors.over(unet.env(), output, unet.outputType(), shape));
        } catch (OrtException | RuntimeException e) {
            inputs.values().forEach(OnnxTensor::close);
            throw e;
        }
        this.outputNames = Set.of(); // the output is pinned, so none is requested besides it
        this.owned = List.copyOf(inputs.values());
    }

    /** A tensor over {@code role}'s memory holding {@code values}, written once for the whole loop. */
    private OnnxTensor constant(Role role, OnnxJavaType type, float[] values, long[] shape) throws OrtException {
        ByteBuffer memory = workspace.direct(role, values.length * Tensors.elementBytes(type));
        Tensors.put(memory, type, 0, values, 0, values.length, 1f);
        return Tensors.over(unet.env(), memory, type, shape);
    }

    /**
     * One UNet evaluation of {@code latents x scale}; with {@code duplicate} (classifier-free guidance) the
     * latents fill both halves of the batch.
     *
     * @return the prediction for every batch row, in an array that is overwritten by the next call
     */
    /**
     * The value a graph with a {@code type} timestep input is given for scheduler timestep {@code t}: the float32
     * value diffusers keeps, truncated for an integer input as diffusers' ONNX pipelines do
     * ({@code np.array([t], dtype=np.int64)}), not rounded.
     */
    public static double graphTimestep(OnnxJavaType type, double t) {
        boolean integral = type == OnnxJavaType.INT64 || type == OnnxJavaType.INT32;
        return integral ? (double) (long) (float) t : (float) t;
    }

    public float[] predict(float[] latents, float scale, boolean duplicate, double t, OrtSession.RunOptions run)
            throws OrtException {
        OnnxJavaType type = unet.sampleType();
        if (inRowFloats == rowFloats) {
            Tensors.put(sample, type, 0, latents, 0, latents.length, scale);
            if (duplicate) {
                Tensors.put(sample, type, latents.length, latents, 0, latents.length, scale);
            }
        } else {
            // each row's latents in front of its mask and masked latents, which stay as bound
            int given = latents.length / rowFloats;
            for (int r = 0; r < rows; r++) {
                Tensors.put(sample, type, r * inRowFloats, latents, (r % given) * rowFloats, rowFloats, scale);
            }
        }
        double value = graphTimestep(unet.timestepType(), t);
        for (int i = 0; i < timesteps; i++) {
            Tensors.putNumber(timestep, unet.timestepType(), i, value);
        }
        float[] prediction = workspace.floats(Role.MODEL_OUTPUT, (duplicate ? 2 : 1) * latents.length);
        try (OrtSession.Result ignored = unet.session().run(inputs, outputNames, pinned, run)) {
            Tensors.get(output, unet.outputType(), prediction);
        }
        return prediction;
    }

    /** Floats per batch row (4 x h x w). */
    public int rowFloats() {
        return rowFloats;
    }

    @Override
    public void close() {
        owned.forEach(OnnxTensor::close);
        pinned.values().forEach(OnnxTensor::close);
    }
}
