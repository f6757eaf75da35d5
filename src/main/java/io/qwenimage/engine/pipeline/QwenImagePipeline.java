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
import io.qwenimage.engine.model.ModelInfo;
import io.qwenimage.engine.model.QwenImageModel;
import io.qwenimage.engine.model.QwenTextEncoderStage;
import io.qwenimage.engine.model.QwenTransformerStage;
import io.qwenimage.engine.model.QwenVaeStages;
import io.qwenimage.engine.qwen.LatentPacking;
import io.qwenimage.engine.qwen.QwenRotaryTables;
import io.qwenimage.engine.qwen.TrueCfg;
import io.qwenimage.engine.scheduler.GaussianNoise;
import io.qwenimage.engine.scheduler.NoiseSource;
import io.qwenimage.engine.scheduler.Scheduler;
import io.qwenimage.engine.tokenizer.QwenPrompt;
import io.qwenimage.engine.tokenizer.QwenTokenizer;
import java.lang.System.Logger.Level;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The Qwen-Image family, as diffusers' {@code QwenImagePipeline} and {@code QwenImageImg2ImgPipeline} run it: each
 * prompt in Qwen-Image's chat template through the Qwen2 text encoder, its first 34 outputs dropped; noise
 * {@code (16, H/8, W/8)} packed 2x2 into {@code H/16 · W/16} tokens of 64; flow-matching Euler with the sigmas
 * shifted for that token count; the transformer given sigma ({@code t / 1000}) and the rotary tables; true CFG (a
 * second pass with the negative prompt, combined and rescaled per token) when the scale is above 1; unpacked, the
 * VAE's per-channel normalisation undone, decoded.
 *
 * <p>Differences from diffusers, on purpose: true CFG runs whenever {@code true_cfg_scale > 1}, with the empty
 * negative prompt when the request gives none (diffusers skips it without a negative prompt, so every client that
 * does not send one would get unguided pictures); sizes must be multiples of 16 (diffusers silently rounds down).
 *
 * <p>Noise: image {@code i} draws from its own {@link GaussianNoise} seeded with {@code seed + i}, the initial noise
 * first (planar {@code [16][H/8][W/8]}, then packed). Each prompt is encoded alone, so a batched entry's text states
 * equal its own; in the transformer a batch pads shorter prompts (masked), so batched pictures equal solo ones up
 * to float rounding, not bit for bit.
 */
public final class QwenImagePipeline extends ImagePipeline {

    private static final System.Logger LOG = System.getLogger(QwenImagePipeline.class.getName());

    private final QwenImageModel model;
    private final NoiseFactory noise;
    private final LatentPreviewer previewer;

    public QwenImagePipeline(QwenImageModel model) {
        this(model, GaussianNoise::new);
    }

    QwenImagePipeline(QwenImageModel model, NoiseFactory noise) {
        this.model = model;
        this.noise = noise;
        this.previewer = new LatentPreviewer(QwenVaeStages.CHANNELS, model.vae()::decode,
                model.vae().encodes() ? model.vae()::encode : null);
    }

    public QwenImageModel model() {
        return model;
    }

    @Override
    public ModelInfo info() {
        return model.info();
    }


    @Override
    void runBatch(List<BatchEntry> entries, BatchResults results, boolean[] done, OrtSession.RunOptions run)
            throws OrtException {
        new Batch(entries, results, done, run).generate();
    }

    @Override
    public void close() {
        model.close();
    }

    /** One prompt's embeddings: the encoder's outputs after the template prefix. */
    private record PromptStates(float[] values, int tokens, String truncated) {
    }

    private final class Batch extends BatchRun {

        // the run's shape, fixed by the first entry (every entry shares its BatchKey)
        private GenerationRequest first;
        private boolean img2img;
        private Scheduler scheduler;
        private int latentH;
        private int latentW;
        private int tokens;
        private int plane;
        private boolean cfg;
        private QwenRotaryTables.Table imageRotary;
        // what the stages hand on
        private PromptStates[] positive;
        private QwenTransformerStage.Text condText;
        private QwenTransformerStage.Text negativeText;
        private NoiseSource[] generators;
        private float[] latents;
        /** Inpainting: each image's part outside the mask, put back after every step (null without a mask). */
        private KeptPart kept;

        Batch(List<BatchEntry> entries, BatchResults results, boolean[] done, OrtSession.RunOptions run) {
            super(entries, results, done, run);
        }

        @Override
        void plan() {
            first = entries.get(0).request();
            img2img = first.initImage() != null;
            if (img2img && !model.vae().encodes()) {
                throw new IllegalArgumentException("this model has no vae_encoder, so it cannot do image-to-image");
            }
            if (first.width() % 16 != 0 || first.height() % 16 != 0) {
                throw new IllegalArgumentException("Qwen-Image draws sizes that are multiples of 16, not "
                        + first.width() + "x" + first.height());
            }
            latentH = first.height() / 8;
            latentW = first.width() / 8;
            tokens = (latentH / 2) * (latentW / 2);
            plane = QwenVaeStages.CHANNELS * latentH * latentW;
            scheduler = first.scheduler().create(model.schedulerConfig(), first.steps(),
                    img2img ? first.strength() : 1.0, tokens);
            cfg = first.guidanceScale() > 1;
            imageRotary = model.rotary().image(latentH / 2, latentW / 2);
            if (first.mask() != null) {
                kept = new KeptPart(first.mask(), QwenVaeStages.CHANNELS, first.width(), first.height(), images,
                        p -> LatentPacking.pack(p, QwenVaeStages.CHANNELS, latentH, latentW));
            }
        }

        /** Every distinct prompt encoded once, alone; then the rows of the conditional (and negative) calls. */
        @Override
        void encodePrompts() throws OrtException {
            Map<String, PromptStates> encoded = new HashMap<>();
            positive = new PromptStates[entries.size()];
            PromptStates[] negative = cfg ? new PromptStates[entries.size()] : null;
            for (int j = 0; j < entries.size(); j++) {
                GenerationRequest r = entries.get(j).request();
                int keep = r.maxSequenceLength() > 0 ? r.maxSequenceLength()
                        : QwenTokenizer.DEFAULT_MAX_SEQUENCE_LENGTH;
                positive[j] = states(r.prompt(), keep, encoded);
                if (!positive[j].truncated().isEmpty()) {
                    // never the words themselves: prompts can be personal data
                    LOG.log(Level.WARNING, "prompt longer than " + keep + " tokens; the text encoder does not see "
                            + "its last " + positive[j].truncated().length() + " characters");
                }
                if (cfg) {
                    negative[j] = states(r.negativePrompt(), keep, encoded);
                }
            }
            condText = rows(positive);
            negativeText = cfg ? rows(negative) : null;
        }

        private PromptStates states(String prompt, int keep, Map<String, PromptStates> encoded)
                throws OrtException {
            String key = keep + "\u0000" + prompt;
            PromptStates known = encoded.get(key);
            if (known != null) {
                return known;
            }
            QwenTokenizer tokenizer = model.tokenizer();
            QwenPrompt p = tokenizer.encode(prompt, keep);
            long t0 = System.nanoTime();
            QwenTextEncoderStage.Hidden h = model.textEncoder().encode(p.ids(), p.attentionMask(), 1, p.ids().length,
                    run);
            onnx += System.nanoTime() - t0;
            int kept = p.embeddingLength();
            float[] values = new float[kept * h.width()];
            System.arraycopy(h.values(), p.prefixLength() * h.width(), values, 0, values.length);
            String dropped = p.truncated() ? tokenizer.droppedText(prompt, keep) : "";
            PromptStates s = new PromptStates(values, kept, dropped);
            encoded.put(key, s);
            return s;
        }

        /** One row per image, entry j's states for its images, padded to the longest with zeros (mask 0). */
        private QwenTransformerStage.Text rows(PromptStates[] perEntry) {
            int longest = 0;
            for (PromptStates s : perEntry) {
                longest = Math.max(longest, s.tokens());
            }
            int width = model.textWidth();
            float[] states = new float[images * longest * width];
            long[] mask = new long[images * longest];
            for (int j = 0; j < entries.size(); j++) {
                PromptStates s = perEntry[j];
                for (int i = firstImage[j]; i < firstImage[j + 1]; i++) {
                    System.arraycopy(s.values(), 0, states, i * longest * width, s.values().length);
                    Arrays.fill(mask, i * longest, i * longest + s.tokens(), 1L);
                }
            }
            return new QwenTransformerStage.Text(states, mask, longest, width,
                    model.rotary().text(longest, latentH / 2, latentW / 2));
        }

        /**
         * One seeded generator per image; text-to-image latents are its first noise, packed (sigma 1: pure noise);
         * image-to-image encodes the picture (the VAE mean, no draw), then noises it to the first sigma.
         */
        @Override
        boolean initialLatents() throws OrtException {
            generators = new NoiseSource[images];
            latents = new float[images * plane];
            if (img2img) {
                phase(ProgressListener.Phase.IMAGE_ENCODING);
            }
            float[] drawn = new float[plane];
            for (int j = 0; j < entries.size(); j++) {
                GenerationRequest r = entries.get(j).request();
                for (int i = firstImage[j]; i < firstImage[j + 1]; i++) {
                    generators[i] = noise.forSeed(r.seedOf(i - firstImage[j]));
                    float[] clean = null;
                    if (img2img) {
                        if (!dropCancelled()) {
                            return false;
                        }
                        RgbImage picture = ImageTensors.resize(r.initImage(), r.width(), r.height());
                        if (r.mask() != null && r.mask().fill() == InpaintMask.Fill.FILL) {
                            picture = r.mask().filled(picture);
                        }
                        clean = encodeImage(picture, r.width(), r.height());
                    }
                    generators[i].fill(drawn);
                    if (clean != null && kept != null) {
                        kept.keep(i, clean, drawn);
                    }
                    float[] packed = LatentPacking.pack(drawn, QwenVaeStages.CHANNELS, latentH, latentW);
                    if (clean != null) {
                        float[] packedClean = LatentPacking.pack(clean, QwenVaeStages.CHANNELS, latentH, latentW);
                        scheduler.addNoise(packedClean, packed);
                        packed = packedClean;
                    }
                    System.arraycopy(packed, 0, latents, i * plane, plane);
                }
            }
            return true;
        }

        /** The picture (at the request's size) through the VAE encoder's mean, normalised, planar. */
        private float[] encodeImage(RgbImage picture, int width, int height) throws OrtException {
            float[] pixels = ImageTensors.toPixels(picture);
            long t0 = System.nanoTime();
            float[] z = model.vae().encode(pixels, height, width, run);
            onnx += System.nanoTime() - t0;
            return z;
        }

        /** The scheduler loop over the transformer; true CFG per image with its own scale when guidance is on. */
        @Override
        boolean denoise() throws OrtException {
            float[] part = new float[plane];
            NoiseSource perImage = out -> {
                for (int i = 0; i < images; i++) {
                    generators[i].fill(part);
                    System.arraycopy(part, 0, out, i * plane, plane);
                }
            };
            return DenoisingLoop.run(scheduler, latents, perImage, step -> {
                // diffusers gives the transformer timesteps[i] / 1000, both float32
                double sigma = (float) scheduler.timestep(step) / 1000f;
                float[] velocity = predict(condText, sigma);
                if (!cfg) {
                    return velocity;
                }
                float[] negative = predict(negativeText, sigma);
                for (int j = 0; j < entries.size(); j++) {
                    double scale = entries.get(j).request().guidanceScale();
                    TrueCfg.combine(velocity, negative, scale, 4 * QwenVaeStages.CHANNELS, firstImage[j] * plane,
                            firstImage[j + 1] * plane);
                }
                return velocity;
            }, kept == null ? DenoisingLoop.AfterStep.NONE : step -> kept.putBack(step, scheduler, latents, plane),
                    this);
        }

        private float[] predict(QwenTransformerStage.Text text, double sigma) throws OrtException {
            long t0 = System.nanoTime();
            float[] out = model.transformer().predict(images, latents, tokens, text, sigma, imageRotary, run);
            onnx += System.nanoTime() - t0;
            return out;
        }

        @Override
        RgbImage previewOf(float[] denoised, int image) throws OrtException {
            float[] row = new float[plane];
            System.arraycopy(denoised, image * plane, row, 0, plane);
            float[] z = LatentPacking.unpack(row, QwenVaeStages.CHANNELS, latentH, latentW);
            return previewer.preview(z, 0, latentH, latentW, run);
        }

        /** Each image unpacked and through the VAE decoder; each entry answered as it is done. */
        @Override
        void decode() throws OrtException {
            float[] row = new float[plane];
            answerEach((i, r) -> {
                System.arraycopy(latents, i * plane, row, 0, plane);
                float[] z = LatentPacking.unpack(row, QwenVaeStages.CHANNELS, latentH, latentW);
                long t0 = System.nanoTime();
                float[] pixels = model.vae().decode(z, latentH, latentW, run);
                onnx += System.nanoTime() - t0;
                if (r.mask() != null) {
                    r.mask().overlay(pixels, r.initImage(), r.width(), r.height());
                }
                return ImageTensors.toImage(pixels, r.width(), r.height(), r.width(), r.height());
            }, j -> positive[j].truncated());
        }
    }
}
