package io.qwenimage.engine.model;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.JsonNode;
import io.qwenimage.engine.JsonFiles;
import io.qwenimage.engine.ModelException;
import io.qwenimage.engine.onnx.SessionFactory;
import io.qwenimage.engine.qwen.QwenRotaryTables;
import io.qwenimage.engine.scheduler.SchedulerConfig;
import io.qwenimage.engine.tokenizer.QwenPrompt;
import io.qwenimage.engine.tokenizer.QwenTokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A Qwen-Image model folder in our ONNX convention (docs/model-formats.md, "Qwen-Image family"), opened: the Qwen2
 * tokenizer, the flow-matching scheduler config, the rotary tables the transformer's config asks for, and one
 * session per part ({@code text_encoder}, {@code transformer}, {@code vae_decoder}, and {@code vae_encoder} when
 * present, for image-to-image). A missing or malformed file is one {@link ModelException} naming it.
 */
public final class QwenImageModel implements AutoCloseable {

    /** Qwen-Image's default picture side (diffusers: default_sample_size 128 x vae_scale_factor 8). */
    public static final int DEFAULT_NATIVE_SIZE = 1024;
    /** QwenEmbedRope's base. */
    static final double ROPE_THETA = 10000.0;

    private final Path folder;
    private final QwenTokenizer tokenizer;
    private final SchedulerConfig schedulerConfig;
    private final QwenRotaryTables rotary;
    private final QwenTextEncoderStage textEncoder;
    private final QwenTransformerStage transformer;
    private final QwenVaeStages vae;
    private final int textWidth;
    private final ModelInfo info;

    private QwenImageModel(Path folder, String id, SessionFactory sessions) {
        this.folder = folder;
        this.schedulerConfig = SchedulerConfig.read(folder.resolve("scheduler/scheduler_config.json"));
        if (schedulerConfig.flow() == null) {
            throw ModelException.of(folder.resolve("scheduler/scheduler_config.json"), "is a "
                    + schedulerConfig.className() + "; a Qwen-Image model needs " + SchedulerConfig.FLOW_MATCH_CLASS);
        }
        Path transformerConfig = folder.resolve("transformer/config.json");
        this.rotary = rotaryOf(JsonFiles.read(transformerConfig), transformerConfig);
        Path vaeConfig = folder.resolve("vae_decoder/config.json");
        int nativeSize = JsonFiles.read(vaeConfig).path("sample_size").asInt(DEFAULT_NATIVE_SIZE);
        List<AutoCloseable> opened = new ArrayList<>();
        try {
            this.tokenizer = QwenTokenizer.load(folder.resolve("tokenizer"));
            opened.add(tokenizer);
            Path te = folder.resolve("text_encoder/model.onnx");
            this.textEncoder = new QwenTextEncoderStage(sessions.environment(),
                    ModelParts.open(sessions, te, opened), te);
            Path tr = folder.resolve("transformer/model.onnx");
            this.transformer = new QwenTransformerStage(sessions.environment(),
                    ModelParts.open(sessions, tr, opened), tr);
            Path vd = folder.resolve("vae_decoder/model.onnx");
            Path ve = folder.resolve("vae_encoder/model.onnx");
            OrtSession decoder = ModelParts.open(sessions, vd, opened);
            OrtSession encoder = Files.exists(ve) ? ModelParts.open(sessions, ve, opened) : null;
            this.vae = new QwenVaeStages(sessions.environment(), decoder, vd, encoder, ve, vaeConfig);
            this.textWidth = probeTextWidth();
        } catch (RuntimeException e) {
            ModelParts.closeAfterFailure(opened, e);
            throw e;
        }
        String dtype = transformer.latentType() == OnnxJavaType.FLOAT16 ? "float16"
                : transformer.latentType() == OnnxJavaType.BFLOAT16 ? "bfloat16" : "float32";
        this.info = new ModelInfo(id, ModelFamily.QWEN_IMAGE, "qwen-image", dtype, "flow", nativeSize, 1.0,
                vae.encodes(), false, schedulerConfig);
    }

    /** Opens a model folder whose model_index.json names a Qwen-Image pipeline. */
    public static QwenImageModel open(Path folder, SessionFactory sessions) {
        return new QwenImageModel(folder, folder.getFileName() == null ? folder.toString()
                : folder.getFileName().toString(), sessions);
    }

    public QwenTokenizer tokenizer() {
        return tokenizer;
    }

    public SchedulerConfig schedulerConfig() {
        return schedulerConfig;
    }

    public QwenRotaryTables rotary() {
        return rotary;
    }

    public QwenTextEncoderStage textEncoder() {
        return textEncoder;
    }

    public QwenTransformerStage transformer() {
        return transformer;
    }

    public QwenVaeStages vae() {
        return vae;
    }

    /** Width of the text encoder's hidden states (the transformer's joint_attention_dim). */
    public int textWidth() {
        return textWidth;
    }

    public ModelInfo info() {
        return info;
    }

    /** Closes every session and the tokenizer, even when one close fails (the first failure is thrown). */
    @Override
    public void close() {
        ModelParts.closeAll(folder, textEncoder, transformer, vae, tokenizer);
    }

    /** axes_dims_rope from the transformer's config (diffusers' default (16, 56, 56)); scale_rope as diffusers. */
    private static QwenRotaryTables rotaryOf(JsonNode config, Path file) {
        JsonNode axes = config.path("axes_dims_rope");
        int[] dims = {16, 56, 56};
        if (!axes.isMissingNode()) {
            if (!axes.isArray() || axes.size() != 3) {
                throw ModelException.of(file, "axes_dims_rope must list 3 numbers");
            }
            for (int i = 0; i < 3; i++) {
                dims[i] = axes.get(i).asInt();
            }
        }
        try {
            return new QwenRotaryTables(ROPE_THETA, dims, true);
        } catch (IllegalArgumentException e) {
            throw ModelException.of(file, e.getMessage(), e);
        }
    }

    /** Runs the empty prompt through the encoder: the graph works, and its width is known before any request. */
    private int probeTextWidth() {
        QwenPrompt p = tokenizer.encode("");
        try (OrtSession.RunOptions run = new OrtSession.RunOptions()) {
            return textEncoder.encode(p.ids(), p.attentionMask(), 1, p.ids().length, run).width();
        } catch (OrtException e) {
            throw ModelException.of(folder.resolve("text_encoder/model.onnx"), "fails on an empty prompt ("
                    + e.getMessage() + ")", e);
        }
    }

}
