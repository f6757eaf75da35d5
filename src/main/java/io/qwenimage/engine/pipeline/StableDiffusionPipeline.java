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
import io.qwenimage.engine.model.Embeddings;
import io.qwenimage.engine.model.ModelInfo;
import io.qwenimage.engine.model.ModelBundle;
import io.qwenimage.engine.model.TextEncoderStage;
import io.qwenimage.engine.model.UnetCall;
import io.qwenimage.engine.model.UnetConditioning;
import io.qwenimage.engine.model.VaeEncoderStage;
import io.qwenimage.engine.scheduler.GaussianNoise;
import io.qwenimage.engine.scheduler.NoiseSource;
import io.qwenimage.engine.onnx.Workspace;
import io.qwenimage.engine.scheduler.Scheduler;
import io.qwenimage.engine.tokenizer.TokenizedPrompt;
import java.lang.System.Logger.Level;
import java.util.List;

/**
 * The Stable Diffusion families (1.x, 2.x, Turbo, LCM, and SDXL with its two text encoders and added
 * conditioning): text-to-image and image-to-image with one opened model: tokenize, encode the prompts, run the scheduler loop with the UNet (unconditional and conditional rows in one batch
 * when guidance is on), decode with the VAE.
 *
 * <p>Noise: image {@code i} of a request draws from its own {@link GaussianNoise} seeded with {@code seed + i}, in
 * this order: (image-to-image only) the VAE latent sample, the initial noise, then any per-step noise of
 * stochastic schedulers. So the same request on the same model and execution provider gives identical pixels,
 * and image {@code i} of a batch equals image 0 of the same request with seed {@code seed + i}.
 *
 * <p>Batched entries get exactly the pictures they would get alone with ONNX Runtime's CPU kernels (on CUDA another
 * batch size may select other kernels, so up to rounding).
 */
public final class StableDiffusionPipeline extends ImagePipeline {

    private static final System.Logger LOG = System.getLogger(StableDiffusionPipeline.class.getName());

    private final ModelBundle model;
    private final NoiseFactory noise;
    private final LatentPreviewer previewer;

    public StableDiffusionPipeline(ModelBundle model) {
        this(model, GaussianNoise::new);
    }

    StableDiffusionPipeline(ModelBundle model, NoiseFactory noise) {
        this.model = model;
        this.noise = noise;
        float inverse = (float) (1.0 / model.info().scalingFactor());
        this.previewer = new LatentPreviewer(4, (planar, h, w, run) -> {
            for (int k = 0; k < planar.length; k++) {
                planar[k] *= inverse;
            }
            return model.vaeDecoder().decode(planar, h, w, run);
        }, model.vaeEncoder() == null ? null : (pixels, h, w, run) -> {
            float[] z = model.vaeEncoder().encode(pixels, h, w, new float[4 * (h / 8) * (w / 8)], run);
            for (int k = 0; k < z.length; k++) {
                z[k] *= (float) model.info().scalingFactor();
            }
            return z;
        });
    }

    public ModelBundle model() {
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

    /** One run over the UNet: the SD stages in order. */
    private final class Batch extends BatchRun {

        Batch(List<BatchEntry> entries, BatchResults results, boolean[] done, OrtSession.RunOptions run) {
            super(entries, results, done, run);
        }

        // the run's shape, fixed by the first entry (every entry shares its BatchKey)
        private GenerationRequest first;
        private boolean img2img;
        private Scheduler scheduler;
        private Workspace workspace;
        private int width8;
        private int height8;
        private int lw;
        private int lh;
        private int plane;
        private boolean cfg;
        // what the stages hand on
        private TokenizedPrompt[] positive;
        private UnetConditioning conditioning;
        private float[] guidance;
        private float[] timestepCond;
        private NoiseSource[] generators;
        private float[] latents;
        private float[] segment;
        // inpainting: the mask at the latents' size (1 = repaint), each image's clean latents and initial noise
        private float[] latentMask;
        private float[][] cleanLatents;
        private float[][] startNoise;
        // a dedicated inpainting UNet (9 input channels): each image's latent mask and masked-picture latents
        private boolean inpaintingUnet;
        private float[][] inpaintingChannels;

        @Override
        void plan() {
            first = entries.get(0).request();
            img2img = first.initImage() != null;
            if (img2img && model.vaeEncoder() == null) {
                throw new IllegalArgumentException("this model has no vae_encoder, so it cannot do image-to-image");
            }
            scheduler = first.scheduler().create(model.schedulerConfig(), first.steps(),
                    img2img ? first.strength() : 1.0);
            workspace = Workspace.ofCurrentThread();
            width8 = (first.width() + 7) / 8 * 8;
            height8 = (first.height() + 7) / 8 * 8;
            lw = width8 / 8;
            lh = height8 / 8;
            plane = 4 * lw * lh;
            cfg = first.guidanceScale() > 1 && !model.unet().takesTimestepCond();
            inpaintingUnet = model.unet().inpaints();
            if (first.mask() != null && !inpaintingUnet) {
                latentMask = first.mask().latent(width8, height8);
            }
        }

        /**
         * Tokenizes and encodes every entry's prompt (and negative prompt with guidance) in one text-encoder call;
         * picks one context row per UNet row: [unconditional of every image ; conditional of every image].
         */
        @Override
        void encodePrompts() throws OrtException {
            int members = entries.size();
            positive = new TokenizedPrompt[members];
            int[][] ids = new int[cfg ? 2 * members : members][];
            for (int j = 0; j < members; j++) {
                GenerationRequest r = entries.get(j).request();
                positive[j] = model.tokenizer().encode(r.prompt());
                if (positive[j].wasTruncated()) {
                    // never the words themselves: prompts can be personal data (the caller gets them back as
                    // prompt_truncated; the audit line carries the prompt only with qwen.log.prompts)
                    LOG.log(Level.WARNING, "prompt longer than " + model.tokenizer().maxLength()
                            + " tokens; the text encoder does not see its last "
                            + positive[j].truncated().length() + " characters");
                }
                if (cfg) {
                    ids[j] = model.tokenizer().encode(r.negativePrompt()).ids();
                    ids[members + j] = positive[j].ids();
                } else {
                    ids[j] = positive[j].ids();
                }
            }
            int[] contextRows = new int[cfg ? 2 * images : images];
            guidance = new float[images];
            for (int j = 0; j < members; j++) {
                for (int i = firstImage[j]; i < firstImage[j + 1]; i++) {
                    contextRows[i] = j;
                    if (cfg) {
                        contextRows[images + i] = members + j;
                    }
                    guidance[i] = (float) entries.get(j).request().guidanceScale();
                }
            }
            if (model.unet().takesTimestepCond()) {
                // LCM (SD or SDXL): the guidance as an embedding, no CFG batch
                int dim = model.unet().timestepCondDim();
                timestepCond = new float[images * dim];
                for (int j = 0; j < members; j++) {
                    int count = firstImage[j + 1] - firstImage[j];
                    float[] rows = guidanceEmbedding(entries.get(j).request().guidanceScale() - 1, dim, count);
                    System.arraycopy(rows, 0, timestepCond, firstImage[j] * dim, rows.length);
                }
            }
            if (model.textEncoder2() != null) {
                conditioning = encodeXl(ids, contextRows);
                return;
            }
            long t0 = System.nanoTime();
            Embeddings context = model.textEncoder().encode(ids).pick(contextRows);
            onnx += System.nanoTime() - t0;
            conditioning = UnetConditioning.of(context, timestepCond);
        }

        /**
         * SDXL (diffusers' encode_prompt): both encoders' penultimate hidden states side by side, the second's
         * pooled embedding, and the size as time ids [h, w, 0, 0, h, w] (original = target size, no crop). With
         * guidance, an empty negative prompt is zeros when the model says force_zeros_for_empty_prompt.
         */
        private UnetConditioning encodeXl(int[][] ids1, int[] contextRows) throws OrtException {
            int members = entries.size();
            int[][] ids2 = new int[ids1.length][];
            boolean[] zero = new boolean[ids1.length];
            for (int j = 0; j < members; j++) {
                GenerationRequest r = entries.get(j).request();
                ids2[cfg ? members + j : j] = model.tokenizer2().encode(r.prompt()).ids();
                if (cfg) {
                    ids2[j] = model.tokenizer2().encode(r.negativePrompt()).ids();
                    zero[j] = model.forceZerosForEmptyPrompt() && r.negativePrompt().isBlank();
                }
            }
            long t0 = System.nanoTime();
            TextEncoderStage.PooledEncoding first = model.textEncoder().encodePooled(ids1);
            TextEncoderStage.PooledEncoding second = model.textEncoder2().encodePooled(ids2);
            onnx += System.nanoTime() - t0;
            Embeddings joined = first.hidden().beside(second.hidden());
            float[] pooled = second.pooled();
            int pooledWidth = second.pooledWidth();
            int rowFloats = joined.tokens() * joined.width();
            for (int row = 0; row < zero.length; row++) {
                if (zero[row]) {
                    java.util.Arrays.fill(joined.data(), row * rowFloats, (row + 1) * rowFloats, 0f);
                    java.util.Arrays.fill(pooled, row * pooledWidth, (row + 1) * pooledWidth, 0f);
                }
            }
            float[] textEmbeds = new float[contextRows.length * pooledWidth];
            float[] timeIds = new float[contextRows.length * 6];
            float[] size = {height8, width8, 0, 0, height8, width8};
            for (int i = 0; i < contextRows.length; i++) {
                System.arraycopy(pooled, contextRows[i] * pooledWidth, textEmbeds, i * pooledWidth, pooledWidth);
                System.arraycopy(size, 0, timeIds, i * 6, 6);
            }
            return new UnetConditioning(joined.pick(contextRows), timestepCond, textEmbeds, pooledWidth, timeIds);
        }

        /**
         * One seeded generator per image; text-to-image latents are its first noise times the scheduler's initial
         * sigma; image-to-image encodes the picture (the VAE sample drawing first), then noises it to the start.
         */
        @Override
        boolean initialLatents() throws OrtException {
            generators = new NoiseSource[images];
            latents = workspace.floats(Workspace.Role.LATENTS, images * plane);
            segment = workspace.floats(Workspace.Role.SEGMENT, plane);
            if (img2img) {
                phase(ProgressListener.Phase.IMAGE_ENCODING);
            }
            VaeEncoderStage encoder = model.vaeEncoder();
            for (int j = 0; j < entries.size(); j++) {
                GenerationRequest r = entries.get(j).request();
                for (int i = firstImage[j]; i < firstImage[j + 1]; i++) {
                    generators[i] = noise.forSeed(r.seedOf(i - firstImage[j]));
                    if (!dropCancelled()) {
                        return false;
                    }
                    if (inpaintingUnet && (!img2img || r.strength() >= 1.0)) {
                        // diffusers encodes the picture only to noise it: from pure noise, it does not
                        generators[i].fill(segment);
                        double sigma = scheduler.initNoiseSigma();
                        for (int k = 0; k < plane; k++) {
                            latents[i * plane + k] = (float) (segment[k] * sigma);
                        }
                    } else if (img2img) {
                        float[] sampleNoise = new float[plane];
                        generators[i].fill(sampleNoise);
                        RgbImage picture = ImageTensors.resize(r.initImage(), width8, height8);
                        if (r.mask() != null && r.mask().fill() == InpaintMask.Fill.FILL) {
                            picture = r.mask().filled(picture);
                        }
                        float[] pixels = ImageTensors.toPixels(picture);
                        long t0 = System.nanoTime();
                        float[] clean = encoder.encode(pixels, height8, width8, sampleNoise, run);
                        onnx += System.nanoTime() - t0;
                        double scaling = model.info().scalingFactor();
                        for (int k = 0; k < plane; k++) {
                            clean[k] *= (float) scaling;
                        }
                        generators[i].fill(segment);
                        if (latentMask != null && !inpaintingUnet) {
                            keepForInpainting(i, clean, r.strength());
                        } else {
                            scheduler.addNoise(clean, segment);
                        }
                        System.arraycopy(clean, 0, latents, i * plane, plane);
                    } else {
                        generators[i].fill(segment);
                        double sigma = scheduler.initNoiseSigma();
                        for (int k = 0; k < plane; k++) {
                            latents[i * plane + k] = (float) (segment[k] * sigma);
                        }
                    }
                    if (inpaintingUnet) {
                        inpaintingChannels(i, r);
                    }
                }
            }
            return true;
        }

        /**
         * A dedicated inpainting UNet's extra input of image {@code i} (diffusers' prepare_mask_latents): the mask
         * (binarised at one half, nearest down-sampled) and the latents of the picture with the masked part blacked
         * out ({@code image * (mask < 0.5)} in [-1, 1]), the VAE sample drawn after the initial noise. Without a
         * mask (text-to-image or plain image-to-image on an inpainting model) everything is masked.
         */
        private void inpaintingChannels(int i, GenerationRequest r) throws OrtException {
            int area = lh * lw;
            if (inpaintingChannels == null) {
                inpaintingChannels = new float[images][];
            }
            float[] channels = new float[5 * area];
            float[] pixels = new float[3 * width8 * height8];       // all masked: zeros (grey) everywhere
            if (r.mask() != null) {
                System.arraycopy(r.mask().latent(width8, height8), 0, channels, 0, area);
                float[] full = r.mask().binary(width8, height8);
                float[] picture = ImageTensors.toPixels(ImageTensors.resize(r.initImage(), width8, height8));
                int fullArea = width8 * height8;
                for (int c = 0; c < 3; c++) {
                    for (int p = 0; p < fullArea; p++) {
                        pixels[c * fullArea + p] = full[p] < 0.5f ? picture[c * fullArea + p] : 0f;
                    }
                }
            } else {
                java.util.Arrays.fill(channels, 0, area, 1f);
            }
            VaeEncoderStage encoder = model.vaeEncoder();
            if (encoder == null) {
                throw new IllegalArgumentException("this inpainting model has no vae_encoder, which it needs for "
                        + "the masked picture");
            }
            float[] sampleNoise = new float[plane];
            generators[i].fill(sampleNoise);
            long t0 = System.nanoTime();
            float[] masked = encoder.encode(pixels, height8, width8, sampleNoise, run);
            onnx += System.nanoTime() - t0;
            double scaling = model.info().scalingFactor();
            for (int k = 0; k < plane; k++) {
                channels[area + k] = (float) (masked[k] * scaling);
            }
            inpaintingChannels[i] = channels;
        }

        /** The extra channels of every UNet row: image r's for row r (both halves of a guided batch). */
        private UnetConditioning withInpainting(UnetConditioning base, int rows) {
            if (!inpaintingUnet) {
                return base;
            }
            int extra = 5 * lh * lw;
            float[] all = new float[rows * extra];
            for (int row = 0; row < rows; row++) {
                System.arraycopy(inpaintingChannels[row % images], 0, all, row * extra, extra);
            }
            return base.withInpainting(all);
        }

        /**
         * Inpainting (diffusers' StableDiffusionInpaintPipeline with a 4-channel UNet): the clean latents and the
         * initial noise are kept for putting the unmasked part back after every step; the start is pure noise at
         * strength 1 (diffusers' {@code is_strength_max}), else the picture noised to the first step.
         */
        private void keepForInpainting(int i, float[] clean, double strength) {
            if (cleanLatents == null) {
                cleanLatents = new float[images][];
                startNoise = new float[images][];
            }
            cleanLatents[i] = clean.clone();
            startNoise[i] = segment.clone();
            InpaintMask.Fill fill = entries.get(0).request().mask().fill();
            if (fill == InpaintMask.Fill.LATENT_NOISE || fill == InpaintMask.Fill.LATENT_NOTHING) {
                int area = lh * lw;
                for (int c = 0; c < 4; c++) {
                    for (int p = 0; p < area; p++) {
                        if (latentMask[p] != 0f) {
                            clean[c * area + p] = fill == InpaintMask.Fill.LATENT_NOISE ? segment[c * area + p] : 0f;
                        }
                    }
                }
            }
            if (strength >= 1.0) {
                double sigma = scheduler.initNoiseSigma();
                for (int k = 0; k < plane; k++) {
                    clean[k] = (float) (segment[k] * sigma);
                }
            } else {
                scheduler.addNoise(clean, segment);
            }
        }

        /**
         * After step {@code step}: outside the mask the latents become the picture's own, noised to the next
         * step's level with the initial noise (clean after the last step), {@code (1 - m) x_kept + m x}.
         */
        private void putBackKeptPart(int step) {
            int area = lh * lw;
            float[] kept = new float[plane];
            for (int i = 0; i < images; i++) {
                System.arraycopy(cleanLatents[i], 0, kept, 0, plane);
                if (step < scheduler.steps() - 1) {
                    scheduler.addNoise(step + 1, kept, startNoise[i]);
                }
                for (int c = 0; c < 4; c++) {
                    for (int p = 0; p < area; p++) {
                        float m = latentMask[p];
                        int k = i * plane + c * area + p;
                        latents[k] = (1 - m) * kept[c * area + p] + m * latents[k];
                    }
                }
            }
        }

        /** The scheduler loop over the UNet, guided per image ({@code u + g (c - u)}) when guidance is on. */
        @Override
        boolean denoise() throws OrtException {
            float[] part = workspace.floats(Workspace.Role.NOISE, plane);
            NoiseSource perImage = out -> {
                for (int i = 0; i < images; i++) {
                    generators[i].fill(part);
                    System.arraycopy(part, 0, out, i * plane, plane);
                }
            };
            float[] guided = cfg ? workspace.floats(Workspace.Role.GUIDED, images * plane) : null;
            int rows = cfg ? 2 * images : images;
            try (UnetCall unet = model.unet().bind(workspace, rows, lh, lw, withInpainting(conditioning, rows))) {
                return DenoisingLoop.run(scheduler, latents, perImage, step -> {
                    long t0 = System.nanoTime();
                    float[] out = unet.predict(latents, (float) scheduler.inputScale(step), cfg,
                            scheduler.timestep(step), run);
                    onnx += System.nanoTime() - t0;
                    if (!cfg) {
                        return out;
                    }
                    int half = guided.length;
                    for (int i = 0; i < images; i++) {
                        float g = guidance[i];
                        for (int k = i * plane, end = k + plane; k < end; k++) {
                            float u = out[k];
                            guided[k] = u + g * (out[k + half] - u);
                        }
                    }
                    return guided;
                }, latentMask == null ? DenoisingLoop.AfterStep.NONE : this::putBackKeptPart, this);
            }
        }

        @Override
        RgbImage previewOf(float[] denoised, int image) throws OrtException {
            return previewer.preview(denoised, image * plane, lh, lw, run);
        }

        /** Each image through the VAE decoder, cropped to the requested size; each entry answered as it is done. */
        @Override
        void decode() throws OrtException {
            float inverse = (float) (1.0 / model.info().scalingFactor());
            answerEach((i, r) -> {
                for (int k = 0; k < plane; k++) {
                    segment[k] = latents[i * plane + k] * inverse;
                }
                long t0 = System.nanoTime();
                float[] pixels = model.vaeDecoder().decode(segment, lh, lw, run);
                onnx += System.nanoTime() - t0;
                if (r.mask() != null) {
                    r.mask().overlay(pixels, r.initImage(), width8, height8);
                }
                return ImageTensors.toImage(pixels, width8, height8, r.width(), r.height());
            }, j -> positive[j].truncated());
        }

    }

    /** LCM's guidance embedding of w = guidance - 1 (diffusers' get_guidance_scale_embedding), one row per image. */
    static float[] guidanceEmbedding(double w, int dim, int rows) {
        int half = dim / 2;
        double scaled = w * 1000.0;
        double step = Math.log(10000.0) / (half - 1);
        float[] row = new float[dim];
        for (int k = 0; k < half; k++) {
            double arg = scaled * Math.exp(-step * k);
            row[k] = (float) Math.sin(arg);
            row[half + k] = (float) Math.cos(arg);
        }
        float[] out = new float[rows * dim];
        for (int i = 0; i < rows; i++) {
            System.arraycopy(row, 0, out, i * dim, dim);
        }
        return out;
    }
}
