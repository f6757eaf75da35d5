package io.qwenimage.engine.model;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OrtException;
import com.fasterxml.jackson.databind.JsonNode;
import io.qwenimage.engine.JsonFiles;
import io.qwenimage.engine.ModelException;
import io.qwenimage.engine.onnx.SessionFactory;
import io.qwenimage.engine.scheduler.SchedulerConfig;
import io.qwenimage.engine.tokenizer.ClipTokenizer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A Stable Diffusion (1.x, 2.x or XL) model folder in the diffusers/optimum ONNX layout, opened: tokenizer(s),
 * scheduler config, VAE scaling factor and one session per part ({@code text_encoder}, SDXL's {@code tokenizer_2}
 * and {@code text_encoder_2}, {@code unet}, {@code vae_decoder}, and {@code vae_encoder} when present, for
 * image-to-image). Each part's I/O conventions are read from its session
 * (see diffusion-facts §5 and §9); a missing or malformed file is one {@link ModelException} naming it.
 */
public final class ModelBundle implements AutoCloseable {

    /** SD 1.x/2.x VAEs' factor, used when vae_decoder/config.json does not say. */
    public static final double DEFAULT_SCALING_FACTOR = 0.18215;
    /** The SDXL VAE's factor, used for an SDXL model when vae_decoder/config.json does not say. */
    public static final double SDXL_SCALING_FACTOR = 0.13025;

    /** The bundled demo model's files, as packaged under {@code models/demo/} on the classpath. */
    static final List<String> DEMO_FILES = List.of("model_index.json", "scheduler/scheduler_config.json",
            "tokenizer/vocab.json", "tokenizer/merges.txt", "tokenizer/tokenizer_config.json",
            "tokenizer/special_tokens_map.json", "text_encoder/model.onnx", "text_encoder/config.json",
            "unet/model.onnx", "unet/config.json", "vae_decoder/model.onnx", "vae_decoder/config.json",
            "vae_encoder/model.onnx", "vae_encoder/config.json");

    private final Path folder;
    private final ModelFamily family;
    private final ClipTokenizer tokenizer;
    private final ClipTokenizer tokenizer2;
    private final boolean forceZerosForEmptyPrompt;
    private final SchedulerConfig schedulerConfig;
    private final TextEncoderStage textEncoder;
    private final TextEncoderStage textEncoder2;
    private final UnetStage unet;
    private final VaeDecoderStage vaeDecoder;
    private final VaeEncoderStage vaeEncoder;
    private final ModelInfo info;

    private ModelBundle(Path folder, String id, SessionFactory sessions) {
        this.folder = folder;
        this.family = ModelFamily.ofFolder(folder);
        if (!family.unet()) {
            throw ModelException.of(folder.resolve("model_index.json"), "is a " + family.id() + " model, not a Stable "
                    + "Diffusion (UNet) one: Pipelines.open chooses the pipeline by family");
        }
        boolean xl = family == ModelFamily.STABLE_DIFFUSION_XL;
        this.tokenizer = ClipTokenizer.load(folder.resolve("tokenizer"));
        // SDXL's second tokenizer pads with its own pad token ("!", id 0), which its tokenizer_config.json names
        this.tokenizer2 = xl ? ClipTokenizer.load(folder.resolve("tokenizer_2")) : null;
        // diffusers' SDXL default: a prompt-less negative is zeros, not the encoding of ""
        this.forceZerosForEmptyPrompt = xl && JsonFiles.read(folder.resolve("model_index.json"))
                .path("force_zeros_for_empty_prompt").asBoolean(true);
        this.schedulerConfig = SchedulerConfig.read(folder.resolve("scheduler/scheduler_config.json"));
        JsonNode vaeConfig = JsonFiles.readOptional(folder.resolve("vae_decoder/config.json"));
        double scaling = vaeConfig.path("scaling_factor").asDouble(xl ? SDXL_SCALING_FACTOR : DEFAULT_SCALING_FACTOR);
        if (!(scaling > 0)) {
            throw ModelException.of(folder.resolve("vae_decoder/config.json"), "scaling_factor must be positive");
        }
        JsonNode unetConfig = JsonFiles.readOptional(folder.resolve("unet/config.json"));

        List<AutoCloseable> opened = new ArrayList<>();
        int width;
        try {
            Path te = folder.resolve("text_encoder/model.onnx");
            this.textEncoder = new TextEncoderStage(sessions.environment(), ModelParts.open(sessions, te, opened), te);
            Path te2 = folder.resolve("text_encoder_2/model.onnx");
            this.textEncoder2 = xl ? new TextEncoderStage(sessions.environment(),
                    ModelParts.open(sessions, te2, opened), te2) : null;
            Path un = folder.resolve("unet/model.onnx");
            this.unet = new UnetStage(sessions.environment(), ModelParts.open(sessions, un, opened), un);
            checkConditioning(te, te2, un);
            Path vd = folder.resolve("vae_decoder/model.onnx");
            this.vaeDecoder = new VaeDecoderStage(sessions.environment(), ModelParts.open(sessions, vd, opened), vd);
            Path ve = folder.resolve("vae_encoder/model.onnx");
            this.vaeEncoder = Files.exists(ve) ? VaeEncoderStage.open(sessions, ve, opened::add) : null;
            width = probeTextWidth();
        } catch (RuntimeException e) {
            ModelParts.closeAfterFailure(opened, e);
            throw e;
        }
        String prediction = schedulerConfig.prediction().name().toLowerCase(Locale.ROOT);
        String label = xl ? "sdxl" : width == 768 ? "sd1.x" : width == 1024 ? "sd2.x"
                : "custom (text width " + width + ")";
        int sampleSize = unetConfig.path("sample_size").asInt(0);
        int nativeSize = sampleSize > 0 ? sampleSize * 8 : xl ? 1024
                : width == 1024 && prediction.equals("v_prediction") ? 768 : 512;
        String dtype = unet.sampleType() == OnnxJavaType.FLOAT16 ? "float16" : "float32";
        this.info = new ModelInfo(id, family, label, dtype, prediction, nativeSize, scaling, vaeEncoder != null,
                unet.takesTimestepCond(), schedulerConfig);
    }

    /** Opens a model folder. */
    public static ModelBundle open(Path folder, SessionFactory sessions) {
        return new ModelBundle(folder, folder.getFileName() == null ? folder.toString()
                : folder.getFileName().toString(), sessions);
    }

    /**
     * Opens the demo model packaged in the jar, copying it to {@code workDir} first (ONNX Runtime loads graphs
     * from files, and external weights must sit beside them).
     */
    public static ModelBundle openDemo(Path workDir, SessionFactory sessions) {
        Path target = workDir.resolve("demo");
        for (String name : DEMO_FILES) {
            Path file = target.resolve(name);
            try (InputStream in = ModelBundle.class.getClassLoader().getResourceAsStream("models/demo/" + name)) {
                if (in == null) {
                    throw new ModelException("the demo model is not on the classpath (models/demo/" + name
                            + " missing); was the jar built with it?");
                }
                Files.createDirectories(file.getParent());
                Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException e) {
                throw ModelException.of(file, "cannot be written (" + e.getMessage() + ")", e);
            }
        }
        return new ModelBundle(target, "demo", sessions);
    }

    public ClipTokenizer tokenizer() {
        return tokenizer;
    }

    public SchedulerConfig schedulerConfig() {
        return schedulerConfig;
    }

    public TextEncoderStage textEncoder() {
        return textEncoder;
    }

    /** SDXL's second tokenizer, or null for SD 1.x/2.x. */
    public ClipTokenizer tokenizer2() {
        return tokenizer2;
    }

    /** SDXL's second text encoder (with projection), or null for SD 1.x/2.x. */
    public TextEncoderStage textEncoder2() {
        return textEncoder2;
    }

    /** True when an SDXL model's empty negative prompt is zero embeddings (model_index.json, default true). */
    public boolean forceZerosForEmptyPrompt() {
        return forceZerosForEmptyPrompt;
    }

    public UnetStage unet() {
        return unet;
    }

    public VaeDecoderStage vaeDecoder() {
        return vaeDecoder;
    }

    /** The VAE encoder, or null when the folder has none (then image-to-image is unavailable). */
    public VaeEncoderStage vaeEncoder() {
        return vaeEncoder;
    }

    public ModelInfo info() {
        return info;
    }

    /** Closes every session, even when one close fails (the first failure is thrown, the rest suppressed). */
    @Override
    public void close() {
        ModelParts.closeAll(folder, textEncoder, textEncoder2, unet, vaeDecoder, vaeEncoder);
    }

    /** The family in model_index.json and the graphs agree: SDXL's UNet takes added conditioning, SD's does not. */
    private void checkConditioning(Path te, Path te2, Path un) {
        if (family == ModelFamily.STABLE_DIFFUSION_XL) {
            if (!unet.takesAddedConditioning()) {
                throw ModelException.of(un, "has no text_embeds/time_ids inputs, which an SDXL UNet takes "
                        + "(model_index.json says " + family.id() + ")");
            }
            for (TextEncoderStage e : new TextEncoderStage[] {textEncoder, textEncoder2}) {
                if (!e.servesSdxl()) {
                    throw ModelException.of(e == textEncoder ? te : te2, "exports no hidden_states.N outputs and "
                            + "pooled output, which SDXL reads; export it with optimum-cli export onnx");
                }
            }
        } else if (unet.takesAddedConditioning()) {
            throw ModelException.of(un, "takes text_embeds and time_ids (an SDXL UNet), but model_index.json names "
                    + "a Stable Diffusion 1.x/2.x pipeline; set its _class_name to StableDiffusionXLPipeline");
        }
    }

    private int probeTextWidth() {
        try {
            if (textEncoder2 != null) {
                return textEncoder.encodePooled(new int[][] {tokenizer.encode("").ids()}).hidden().width()
                        + textEncoder2.encodePooled(new int[][] {tokenizer2.encode("").ids()}).hidden().width();
            }
            return textEncoder.encode(new int[][] {tokenizer.encode("").ids()}).width();
        } catch (OrtException e) {
            throw ModelException.of(folder.resolve("text_encoder/model.onnx"), "fails on an empty prompt ("
                    + e.getMessage() + ")", e);
        }
    }

}
