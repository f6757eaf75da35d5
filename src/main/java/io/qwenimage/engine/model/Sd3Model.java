package io.qwenimage.engine.model;

import io.qwenimage.engine.JsonFiles;
import io.qwenimage.engine.ModelException;
import io.qwenimage.engine.onnx.SessionFactory;
import io.qwenimage.engine.scheduler.FlowMatchConfig;
import io.qwenimage.engine.scheduler.SchedulerConfig;
import io.qwenimage.engine.tokenizer.ClipTokenizer;
import io.qwenimage.engine.tokenizer.T5Tokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * An SD3 / SD3.5 model folder in optimum's ONNX layout, opened: two CLIP tokenizers and text encoders
 * ({@code tokenizer}/{@code text_encoder} CLIP-L, {@code tokenizer_2}/{@code text_encoder_2} CLIP-G, which pads with
 * its own pad token), T5's ({@code tokenizer_3}/{@code text_encoder_3}) when the export has it — SD3 may be run
 * without T5, whose part of the text states is then zeros, as diffusers does — the {@code transformer}, the
 * 16-channel VAE, and the flow-matching scheduler, whose base sigmas come from its training table (the SD3
 * pipeline passes none).
 */
public final class Sd3Model implements AutoCloseable {

    /** SD3's VAE scaling and shift factors (diffusers' AutoencoderKL config of SD3). */
    static final double SCALING_FACTOR = 1.5305;
    static final double SHIFT_FACTOR = 0.0609;
    /** diffusers' SD3 transformer default joint_attention_dim (T5-XXL's width). */
    static final int DEFAULT_JOINT_WIDTH = 4096;

    private final Path folder;
    private final ClipTokenizer clipL;
    private final ClipTokenizer clipG;
    private final T5Tokenizer t5Tokenizer;       // null without T5
    private final SchedulerConfig schedulerConfig;
    private final TextEncoderStage clipLEncoder;
    private final TextEncoderStage clipGEncoder;
    private final TextEncoderStage t5;           // null without T5
    private final Sd3TransformerStage transformer;
    private final FlowVaeStages vae;
    private final int jointWidth;
    private final ModelInfo info;

    private Sd3Model(Path folder, String id, SessionFactory sessions) {
        this.folder = folder;
        SchedulerConfig file = FlowModels.flowScheduler(folder, "SD3");
        this.schedulerConfig = SchedulerConfig.flowMatching(file.flow()
                .withBaseSigmas(FlowMatchConfig.BaseSigmas.TRAINING_TABLE));
        int nativeSize = FlowModels.nativeSize(folder);
        Path transformerConfig = folder.resolve("transformer/config.json");
        this.jointWidth = JsonFiles.readOptional(transformerConfig).path("joint_attention_dim")
                .asInt(DEFAULT_JOINT_WIDTH);
        this.clipL = ClipTokenizer.load(folder.resolve("tokenizer"));
        this.clipG = ClipTokenizer.load(folder.resolve("tokenizer_2"));
        Path t5File = folder.resolve("text_encoder_3/model.onnx");
        boolean withT5 = Files.exists(t5File);
        List<AutoCloseable> opened = new ArrayList<>();
        try {
            this.t5Tokenizer = withT5 ? T5Tokenizer.load(folder.resolve("tokenizer_3")) : null;
            if (t5Tokenizer != null) {
                opened.add(t5Tokenizer);
            }
            Path te = folder.resolve("text_encoder/model.onnx");
            this.clipLEncoder = new TextEncoderStage(sessions.environment(), ModelParts.open(sessions, te, opened),
                    te);
            Path te2 = folder.resolve("text_encoder_2/model.onnx");
            this.clipGEncoder = new TextEncoderStage(sessions.environment(), ModelParts.open(sessions, te2, opened),
                    te2);
            for (var encoder : List.of(clipLEncoder, clipGEncoder)) {
                if (!encoder.servesSdxl()) {
                    throw ModelException.of(encoder == clipLEncoder ? te : te2, "exports no hidden_states.N outputs "
                            + "and pooled output (text_embeds), which SD3 reads; export it with optimum-cli export "
                            + "onnx (it exports them for SD3)");
                }
            }
            this.t5 = withT5 ? new TextEncoderStage(sessions.environment(), ModelParts.open(sessions, t5File,
                    opened), t5File) : null;
            Path tr = folder.resolve("transformer/model.onnx");
            this.transformer = new Sd3TransformerStage(sessions.environment(), ModelParts.open(sessions, tr, opened),
                    tr);
            this.vae = FlowVaeStages.open(folder, sessions, opened, SCALING_FACTOR, SHIFT_FACTOR);
            checkTextWidths(transformerConfig);
        } catch (RuntimeException e) {
            ModelParts.closeAfterFailure(opened, e);
            throw e;
        }
        String label = withT5 ? "sd3" : "sd3 (without T5)";
        this.info = new ModelInfo(id, ModelFamily.STABLE_DIFFUSION_3, label, FlowModels.dtype(transformer.latentType()),
                "flow", nativeSize, vae.scalingFactor(), vae.encodes(), false, schedulerConfig);
    }

    /** Opens a model folder whose model_index.json names an SD3 pipeline. */
    public static Sd3Model open(Path folder, SessionFactory sessions) {
        return new Sd3Model(folder, folder.getFileName() == null ? folder.toString()
                : folder.getFileName().toString(), sessions);
    }

    public ClipTokenizer clipLTokenizer() {
        return clipL;
    }

    public ClipTokenizer clipGTokenizer() {
        return clipG;
    }

    /** T5's tokenizer, or null when the export has no text_encoder_3. */
    public T5Tokenizer t5Tokenizer() {
        return t5Tokenizer;
    }

    public TextEncoderStage clipLEncoder() {
        return clipLEncoder;
    }

    public TextEncoderStage clipGEncoder() {
        return clipGEncoder;
    }

    /** T5's encoder, or null when the export has none (its part of the text states is zeros). */
    public TextEncoderStage t5() {
        return t5;
    }

    public Sd3TransformerStage transformer() {
        return transformer;
    }

    public FlowVaeStages vae() {
        return vae;
    }

    /** The transformer's text width (joint_attention_dim): CLIP's joined states are zero-padded to it. */
    public int jointWidth() {
        return jointWidth;
    }

    public SchedulerConfig schedulerConfig() {
        return schedulerConfig;
    }

    public ModelInfo info() {
        return info;
    }

    /**
     * Runs the empty prompt through the encoders: the graphs work, and CLIP-L + CLIP-G fit into the transformer's
     * text width and T5's width is that width, before any request.
     */
    private void checkTextWidths(Path transformerConfig) {
        try {
            int clip = clipLEncoder.encodePooled(new int[][] {clipL.encode("").ids()}).hidden().width()
                    + clipGEncoder.encodePooled(new int[][] {clipG.encode("").ids()}).hidden().width();
            int t5Width = t5 == null ? jointWidth : t5.encode(new int[][] {t5Tokenizer.encode("", 1).ids()}).width();
            if (clip > jointWidth || t5Width != jointWidth) {
                throw ModelException.of(transformerConfig, "joint_attention_dim is " + jointWidth + ", but CLIP-L + "
                        + "CLIP-G give " + clip + " and T5 " + t5Width + ": the parts are from different models");
            }
        } catch (ai.onnxruntime.OrtException e) {
            throw ModelException.of(folder, "its text encoders fail on an empty prompt (" + e.getMessage() + ")", e);
        }
    }

    @Override
    public void close() {
        ModelParts.closeAll(folder, clipLEncoder, clipGEncoder, t5, transformer, vae, t5Tokenizer);
    }
}
