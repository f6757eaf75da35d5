package io.qwenimage.engine.pipeline;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.qwenimage.engine.BatchEntry;
import io.qwenimage.engine.BatchResults;
import io.qwenimage.engine.GenerationRequest;
import io.qwenimage.engine.ImageTensors;
import io.qwenimage.engine.InpaintMask;
import io.qwenimage.engine.ProgressListener;
import io.qwenimage.engine.RgbImage;
import io.qwenimage.engine.model.FlowText;
import io.qwenimage.engine.model.FlowVaeStages;
import io.qwenimage.engine.scheduler.NoiseSource;
import io.qwenimage.engine.scheduler.Scheduler;
import io.qwenimage.engine.scheduler.SchedulerConfig;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A run of the SD3 or FLUX pipeline: what the two families share. Sizes are multiples of 16 (the transformer
 * patches 2x2 latents of 1/8 the size); the schedule is flow-matching Euler, shifted for {@code (H/16)·(W/16)} image
 * tokens when the scheduler shifts dynamically. Image {@code i} draws from its own generator seeded with
 * {@code seed + i}: for image-to-image first the VAE posterior's noise, then the initial noise (both planar
 * {@code [16][H/8][W/8]}), as diffusers' img2img pipelines draw them. The picture is encoded (posterior sample,
 * {@code (z - shift)·scale}) and noised to the first kept sigma ({@code sigma·noise + (1 - sigma)·z}); at the end
 * each image's latents are taken back to the VAE's scale and decoded.
 *
 * <p>The latents are kept in the family's own layout ({@link #toModelLayout}: FLUX packs 2x2 patches into tokens,
 * SD3 keeps them planar); {@link #plane} values per image either way.
 */
abstract class FlowBatch extends BatchRun {

    /** Sees each image's final latents (planar, the transformer's scale) before they are decoded: a test's view. */
    @FunctionalInterface
    interface LatentProbe {
        LatentProbe NONE = (image, latents) -> { };

        void finalLatents(int image, float[] latents);
    }

    private final FlowVaeStages vae;
    private final SchedulerConfig schedulerConfig;
    private final NoiseFactory noise;
    /**
     * One prompt's text conditioning, encoded alone: per-token states and the pooled vector.
     *
     * @param states    {@code tokens x width}
     * @param truncated the text the encoders did not see ("" when nothing was cut)
     */
    record FlowPrompt(float[] states, int tokens, int width, float[] pooled, String truncated) {
    }

    /** Encodes one prompt with T5 read to {@code length} tokens. */
    @FunctionalInterface
    interface PromptEncoder {
        FlowPrompt encode(String prompt, int length) throws OrtException;
    }

    private static final System.Logger LOG = System.getLogger(FlowBatch.class.getName());

    private final String family;
    private final LatentProbe probe;
    private final PromptEncoder encoder;
    private final int defaultTextLength;

    GenerationRequest first;
    boolean img2img;
    Scheduler scheduler;
    int latentH;
    int latentW;
    /** Image tokens of the transformer: (H/16)·(W/16). */
    int tokens;
    /** Latent values per image: 16·(H/8)·(W/8). */
    int plane;
    NoiseSource[] generators;
    float[] latents;
    /** Inpainting: each image's part outside the mask, put back after every step (null without a mask). */
    private KeptPart kept;
    /** Entry j's prompt; its negative prompt when the family runs a negative pass (else null). */
    FlowPrompt[] positive;
    FlowPrompt[] negative;

    FlowBatch(List<BatchEntry> entries, BatchResults results, boolean[] done, OrtSession.RunOptions run,
              FlowVaeStages vae, SchedulerConfig schedulerConfig, NoiseFactory noise, LatentProbe probe,
              PromptEncoder encoder, int defaultTextLength, String family) {
        super(entries, results, done, run);
        this.probe = probe;
        this.encoder = encoder;
        this.defaultTextLength = defaultTextLength;
        this.vae = vae;
        this.schedulerConfig = schedulerConfig;
        this.noise = noise;
        this.family = family;
    }

    /** The previews of a flow model with this VAE: made once per pipeline, so the projection is fitted once. */
    static LatentPreviewer previewer(FlowVaeStages vae) {
        return new LatentPreviewer(vae.channels(), vae::decode, !vae.encodes() ? null
                : (pixels, h, w, run) -> vae.encode(pixels, h, w, new float[vae.channels() * (h / 8) * (w / 8)], run));
    }

    /** The model's previews (one per pipeline, so its projection is fitted once). */
    abstract LatentPreviewer previewer();

    @Override
    final RgbImage previewOf(float[] denoised, int image) throws OrtException {
        float[] row = new float[plane];
        System.arraycopy(denoised, image * plane, row, 0, plane);
        return previewer().preview(toPlanar(row), 0, latentH, latentW, run);
    }

    /** One image's planar latents in the layout the transformer takes. */
    abstract float[] toModelLayout(float[] planar);

    /** One image's latents from the transformer's layout back to planar. */
    abstract float[] toPlanar(float[] modelLayout);

    /**
     * Every entry's prompt (and negative prompt when {@code withNegative}) encoded, each distinct one once, with the
     * entry's T5 length (the family's default when the request sets none).
     */
    final void encodeAll(boolean withNegative) throws OrtException {
        Map<String, FlowPrompt> encoded = new HashMap<>();
        positive = new FlowPrompt[entries.size()];
        negative = withNegative ? new FlowPrompt[entries.size()] : null;
        for (int j = 0; j < entries.size(); j++) {
            GenerationRequest r = entries.get(j).request();
            int length = r.maxSequenceLength() > 0 ? r.maxSequenceLength() : defaultTextLength;
            positive[j] = encoded(r.prompt(), length, encoded);
            if (!positive[j].truncated().isEmpty()) {
                // never the words themselves: prompts can be personal data
                LOG.log(System.Logger.Level.WARNING, "prompt longer than the text encoders read; they do not see "
                        + "its last " + positive[j].truncated().length() + " characters");
            }
            if (withNegative) {
                negative[j] = encoded(r.negativePrompt(), length, encoded);
            }
        }
    }

    private FlowPrompt encoded(String prompt, int length, Map<String, FlowPrompt> encoded) throws OrtException {
        String key = length + "\u0000" + prompt;
        FlowPrompt known = encoded.get(key);
        if (known == null) {
            long t0 = System.nanoTime();
            known = encoder.encode(prompt, length);
            onnx += System.nanoTime() - t0;
            encoded.put(key, known);
        }
        return known;
    }

    /**
     * The transformer's text rows: for each of {@code parts} in turn (e.g. positive, then negative), one row per image
     * with its entry's conditioning. Every prompt of a batch has the same token count (the batch key fixes T5's).
     */
    final FlowText rows(FlowPrompt[]... parts) {
        FlowPrompt any = parts[0][0];
        int row = any.tokens() * any.width();
        int pooledWidth = any.pooled().length;
        float[] states = new float[parts.length * images * row];
        float[] pooled = new float[parts.length * images * pooledWidth];
        for (int p = 0; p < parts.length; p++) {
            for (int j = 0; j < entries.size(); j++) {
                for (int i = firstImage[j]; i < firstImage[j + 1]; i++) {
                    int at = p * images + i;
                    System.arraycopy(parts[p][j].states(), 0, states, at * row, row);
                    System.arraycopy(parts[p][j].pooled(), 0, pooled, at * pooledWidth, pooledWidth);
                }
            }
        }
        return new FlowText(states, any.tokens(), any.width(), pooled, pooledWidth);
    }

    @Override
    void plan() {
        first = entries.get(0).request();
        img2img = first.initImage() != null;
        if (img2img && !vae.encodes()) {
            throw new IllegalArgumentException("this model has no vae_encoder, so it cannot do image-to-image");
        }
        if (first.width() % 16 != 0 || first.height() % 16 != 0) {
            throw new IllegalArgumentException(family + " draws sizes that are multiples of 16, not "
                    + first.width() + "x" + first.height());
        }
        latentH = first.height() / 8;
        latentW = first.width() / 8;
        tokens = (latentH / 2) * (latentW / 2);
        plane = vae.channels() * latentH * latentW;
        scheduler = first.scheduler().create(schedulerConfig, first.steps(), img2img ? first.strength() : 1.0,
                tokens);
        if (first.mask() != null) {
            kept = new KeptPart(first.mask(), vae.channels(), first.width(), first.height(), images,
                    this::toModelLayout);
        }
    }

    @Override
    boolean initialLatents() throws OrtException {
        generators = new NoiseSource[images];
        latents = new float[images * plane];
        if (img2img) {
            phase(ProgressListener.Phase.IMAGE_ENCODING);
        }
        for (int j = 0; j < entries.size(); j++) {
            GenerationRequest r = entries.get(j).request();
            for (int i = firstImage[j]; i < firstImage[j + 1]; i++) {
                generators[i] = noise.forSeed(r.seedOf(i - firstImage[j]));
                float[] start = new float[plane];
                if (img2img) {
                    if (!dropCancelled()) {
                        return false;
                    }
                    float[] posterior = new float[plane];
                    generators[i].fill(posterior);
                    RgbImage picture = ImageTensors.resize(r.initImage(), r.width(), r.height());
                    if (r.mask() != null && r.mask().fill() == InpaintMask.Fill.FILL) {
                        picture = r.mask().filled(picture);
                    }
                    long t0 = System.nanoTime();
                    float[] clean = vae.encode(ImageTensors.toPixels(picture), r.height(), r.width(), posterior, run);
                    onnx += System.nanoTime() - t0;
                    generators[i].fill(start);
                    if (kept != null) {
                        kept.keep(i, clean, start);
                    }
                    scheduler.addNoise(clean, start);
                    start = clean;
                } else {
                    generators[i].fill(start);
                }
                System.arraycopy(toModelLayout(start), 0, latents, i * plane, plane);
            }
        }
        return true;
    }

    /** The scheduler loop; {@code prediction} gives the (guided) velocity of every image at a step. */
    final boolean loop(DenoisingLoop.Prediction prediction) throws OrtException {
        float[] part = new float[plane];
        NoiseSource perImage = out -> {
            for (int i = 0; i < images; i++) {
                generators[i].fill(part);
                System.arraycopy(part, 0, out, i * plane, plane);
            }
        };
        return DenoisingLoop.run(scheduler, latents, perImage, prediction,
                kept == null ? DenoisingLoop.AfterStep.NONE : step -> kept.putBack(step, scheduler, latents, plane),
                this);
    }

    @Override
    void decode() throws OrtException {
        float[] row = new float[plane];
        answerEach((i, r) -> {
            System.arraycopy(latents, i * plane, row, 0, plane);
            float[] planar = toPlanar(row);
            probe.finalLatents(i, planar);
            long t0 = System.nanoTime();
            float[] pixels = vae.decode(planar, latentH, latentW, run);
            onnx += System.nanoTime() - t0;
            if (r.mask() != null) {
                r.mask().overlay(pixels, r.initImage(), r.width(), r.height());
            }
            return ImageTensors.toImage(pixels, r.width(), r.height(), r.width(), r.height());
        }, j -> positive[j].truncated());
    }
}
