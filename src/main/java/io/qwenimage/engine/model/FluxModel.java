package io.qwenimage.engine.model;

import io.qwenimage.engine.ModelException;
import io.qwenimage.engine.onnx.SessionFactory;
import io.qwenimage.engine.scheduler.SchedulerConfig;
import io.qwenimage.engine.tokenizer.ClipTokenizer;
import io.qwenimage.engine.tokenizer.T5Tokenizer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A FLUX.1 model folder (dev or schnell) in optimum's ONNX layout, opened: the CLIP tokenizer and text encoder
 * ({@code tokenizer}, {@code text_encoder}: only its pooled output is used), T5's ({@code tokenizer_2},
 * {@code text_encoder_2}: its last hidden state), the {@code transformer}, the 16-channel VAE, and the
 * flow-matching scheduler config. FLUX.1-dev is told apart from schnell by its transformer's {@code guidance}
 * input (guidance distillation), as diffusers does by {@code guidance_embeds}.
 */
public final class FluxModel implements AutoCloseable {

    /** FLUX.1's VAE scaling and shift factors (diffusers' AutoencoderKL config of FLUX.1). */
    static final double SCALING_FACTOR = 0.3611;
    static final double SHIFT_FACTOR = 0.1159;

    private final Path folder;
    private final ClipTokenizer clipTokenizer;
    private final T5Tokenizer t5Tokenizer;
    private final SchedulerConfig schedulerConfig;
    private final TextEncoderStage clip;
    private final TextEncoderStage t5;
    private final FluxTransformerStage transformer;
    private final FlowVaeStages vae;
    private final ModelInfo info;

    private FluxModel(Path folder, String id, SessionFactory sessions) {
        this.folder = folder;
        this.schedulerConfig = FlowModels.flowScheduler(folder, "FLUX.1");
        int nativeSize = FlowModels.nativeSize(folder);
        this.clipTokenizer = ClipTokenizer.load(folder.resolve("tokenizer"));
        List<AutoCloseable> opened = new ArrayList<>();
        try {
            this.t5Tokenizer = T5Tokenizer.load(folder.resolve("tokenizer_2"));
            opened.add(t5Tokenizer);
            Path te = folder.resolve("text_encoder/model.onnx");
            this.clip = new TextEncoderStage(sessions.environment(), ModelParts.open(sessions, te, opened), te);
            if (!clip.hasPooled()) {
                throw ModelException.of(te, "has no pooler_output (nor text_embeds): FLUX reads CLIP's pooled vector");
            }
            Path te2 = folder.resolve("text_encoder_2/model.onnx");
            this.t5 = new TextEncoderStage(sessions.environment(), ModelParts.open(sessions, te2, opened), te2);
            Path tr = folder.resolve("transformer/model.onnx");
            this.transformer = new FluxTransformerStage(sessions.environment(),
                    ModelParts.open(sessions, tr, opened), tr);
            this.vae = FlowVaeStages.open(folder, sessions, opened, SCALING_FACTOR, SHIFT_FACTOR);
        } catch (RuntimeException e) {
            ModelParts.closeAfterFailure(opened, e);
            throw e;
        }
        String dtype = FlowModels.dtype(transformer.latentType());
        String label = transformer.takesGuidance() ? "flux.1-dev" : "flux.1-schnell";
        this.info = new ModelInfo(id, ModelFamily.FLUX, label, dtype, "flow", nativeSize, vae.scalingFactor(),
                vae.encodes(), transformer.takesGuidance(), schedulerConfig);
    }

    /** Opens a model folder whose model_index.json names a FLUX pipeline. */
    public static FluxModel open(Path folder, SessionFactory sessions) {
        return new FluxModel(folder, folder.getFileName() == null ? folder.toString()
                : folder.getFileName().toString(), sessions);
    }

    public ClipTokenizer clipTokenizer() {
        return clipTokenizer;
    }

    public T5Tokenizer t5Tokenizer() {
        return t5Tokenizer;
    }

    public SchedulerConfig schedulerConfig() {
        return schedulerConfig;
    }

    /** CLIP-L: its pooled output is the transformer's pooled_projections. */
    public TextEncoderStage clip() {
        return clip;
    }

    /** T5: its last hidden state is the transformer's encoder_hidden_states. */
    public TextEncoderStage t5() {
        return t5;
    }

    public FluxTransformerStage transformer() {
        return transformer;
    }

    public FlowVaeStages vae() {
        return vae;
    }

    public ModelInfo info() {
        return info;
    }

    @Override
    public void close() {
        ModelParts.closeAll(folder, clip, t5, transformer, vae, t5Tokenizer);
    }
}
