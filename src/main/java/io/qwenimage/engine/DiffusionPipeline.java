package io.qwenimage.engine;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.qwenimage.engine.model.Embeddings;
import io.qwenimage.engine.model.ModelBundle;
import io.qwenimage.engine.model.VaeEncoderStage;
import io.qwenimage.engine.scheduler.GaussianNoise;
import io.qwenimage.engine.scheduler.NoiseSource;
import io.qwenimage.engine.scheduler.Scheduler;
import io.qwenimage.engine.tokenizer.TokenizedPrompt;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;

/**
 * Text-to-image and image-to-image with one opened model: tokenize, encode the prompts, run the scheduler loop
 * with the UNet (unconditional and conditional rows in one batch when guidance is on), decode with the VAE.
 *
 * <p>Noise: image {@code i} of a request draws from its own {@link GaussianNoise} seeded with {@code seed + i}, in
 * this order: (image-to-image only) the VAE latent sample, the initial noise, then any per-step noise of
 * stochastic schedulers. So the same request on the same model and execution provider gives identical pixels,
 * and image {@code i} of a batch equals image 0 of the same request with seed {@code seed + i}.
 *
 * <p>One pipeline may be used by one thread at a time per call; sessions are shared and ONNX Runtime allows
 * concurrent runs.
 */
public final class DiffusionPipeline {

    private static final System.Logger LOG = System.getLogger(DiffusionPipeline.class.getName());

    private final ModelBundle model;

    public DiffusionPipeline(ModelBundle model) {
        this.model = model;
    }

    public ModelBundle model() {
        return model;
    }

    /**
     * Generates the request's images.
     *
     * @throws GenerationCancelledException when {@code cancel} fired (checked before every UNet call; the call in
     *                                      flight is terminated)
     * @throws IllegalArgumentException     for a request this model cannot serve (e.g. image-to-image without a
     *                                      VAE encoder, too few steps for the strength)
     */
    public GenerationResult generate(GenerationRequest request, ProgressListener progress, CancellationToken cancel) {
        try (OrtSession.RunOptions run = new OrtSession.RunOptions()) {
            cancel.bind(run);
            try {
                return generate(request, progress, cancel, run);
            } finally {
                cancel.bind(null);
            }
        } catch (OrtException e) {
            if (cancel.isCancelled()) {
                throw new GenerationCancelledException(cancel.reason());
            }
            throw new IllegalStateException("ONNX Runtime failed: " + e.getMessage(), e);
        }
    }

    private GenerationResult generate(GenerationRequest r, ProgressListener progress, CancellationToken cancel,
                                      OrtSession.RunOptions run) throws OrtException {
        boolean img2img = r.initImage() != null;
        VaeEncoderStage encoder = model.vaeEncoder();
        if (img2img && encoder == null) {
            throw new IllegalArgumentException("this model has no vae_encoder, so it cannot do image-to-image");
        }
        Scheduler scheduler = r.scheduler().create(model.schedulerConfig(), r.steps(), img2img ? r.strength() : 1.0);
        int n = r.numImages();
        int width8 = (r.width() + 7) / 8 * 8;
        int height8 = (r.height() + 7) / 8 * 8;
        int lw = width8 / 8;
        int lh = height8 / 8;
        int plane = 4 * lw * lh;
        long onnx = 0;

        cancel.throwIfCancelled();
        progress.onPhase(ProgressListener.Phase.TEXT_ENCODING);
        TokenizedPrompt positive = model.tokenizer().encode(r.prompt());
        if (positive.wasTruncated()) {
            LOG.log(Level.WARNING, "prompt longer than " + model.tokenizer().maxLength()
                    + " tokens; the text encoder does not see: \"" + positive.truncated() + "\"");
        }
        boolean lcm = model.unet().takesTimestepCond();
        boolean cfg = r.guidanceScale() > 1 && !lcm;
        long t0 = System.nanoTime();
        Embeddings context;
        if (cfg) {
            TokenizedPrompt negative = model.tokenizer().encode(r.negativePrompt());
            Embeddings both = model.textEncoder().encode(new int[][] {negative.ids(), positive.ids()});
            Embeddings uncond = both.slice(0, 1);
            Embeddings cond = both.slice(1, 2);
            context = repeat(uncond, n).concat(repeat(cond, n));
        } else {
            context = repeat(model.textEncoder().encode(new int[][] {positive.ids()}), n);
        }
        onnx += System.nanoTime() - t0;
        float[] timestepCond = lcm ? guidanceEmbedding(r.guidanceScale() - 1, model.unet().timestepCondDim(), n) : null;

        GaussianNoise[] generators = new GaussianNoise[n];
        float[] latents = new float[n * plane];
        float[] segment = new float[plane];
        if (img2img) {
            progress.onPhase(ProgressListener.Phase.IMAGE_ENCODING);
        }
        for (int i = 0; i < n; i++) {
            generators[i] = new GaussianNoise(r.seed() + i);
            if (img2img) {
                cancel.throwIfCancelled();
                float[] sampleNoise = new float[plane];
                generators[i].fill(sampleNoise);
                float[] pixels = ImageTensors.toPixels(ImageTensors.resize(r.initImage(), width8, height8));
                t0 = System.nanoTime();
                float[] clean = encoder.encode(pixels, height8, width8, sampleNoise, run);
                onnx += System.nanoTime() - t0;
                double scaling = model.info().scalingFactor();
                for (int k = 0; k < plane; k++) {
                    clean[k] *= (float) scaling;
                }
                generators[i].fill(segment);
                scheduler.addNoise(clean, segment);
                System.arraycopy(clean, 0, latents, i * plane, plane);
            } else {
                generators[i].fill(segment);
                double sigma = scheduler.initNoiseSigma();
                for (int k = 0; k < plane; k++) {
                    latents[i * plane + k] = (float) (segment[k] * sigma);
                }
            }
        }
        float[] part = new float[plane];
        NoiseSource perImage = out -> {
            for (int i = 0; i < n; i++) {
                generators[i].fill(part);
                System.arraycopy(part, 0, out, i * plane, plane);
            }
        };

        int rows = cfg ? 2 * n : n;
        long[] shape = {rows, 4, lh, lw};
        float[] input = new float[rows * plane];
        float[] guided = cfg ? new float[n * plane] : null;
        progress.onPhase(ProgressListener.Phase.DENOISING);
        for (int i = 0; i < scheduler.steps(); i++) {
            cancel.throwIfCancelled();
            float scale = (float) scheduler.inputScale(i);
            for (int k = 0; k < latents.length; k++) {
                input[k] = latents[k] * scale;
            }
            if (cfg) {
                System.arraycopy(input, 0, input, latents.length, latents.length);
            }
            t0 = System.nanoTime();
            float[] out = model.unet().predict(input, shape, scheduler.timestep(i), context, timestepCond, run);
            onnx += System.nanoTime() - t0;
            if (cfg) {
                float g = (float) r.guidanceScale();
                for (int k = 0; k < guided.length; k++) {
                    float u = out[k];
                    guided[k] = u + g * (out[k + guided.length] - u);
                }
                out = guided;
            }
            scheduler.step(i, out, latents, perImage);
            progress.onStep(i + 1, scheduler.steps());
        }

        List<RgbImage> images = new ArrayList<>(n);
        List<Long> seeds = new ArrayList<>(n);
        float inverse = (float) (1.0 / model.info().scalingFactor());
        progress.onPhase(ProgressListener.Phase.DECODING);
        for (int i = 0; i < n; i++) {
            cancel.throwIfCancelled();
            for (int k = 0; k < plane; k++) {
                segment[k] = latents[i * plane + k] * inverse;
            }
            t0 = System.nanoTime();
            float[] pixels = model.vaeDecoder().decode(segment, lh, lw, run);
            onnx += System.nanoTime() - t0;
            images.add(ImageTensors.toImage(pixels, width8, height8, r.width(), r.height()));
            seeds.add(r.seed() + i);
        }
        return new GenerationResult(List.copyOf(images), List.copyOf(seeds), positive.truncated(), onnx);
    }

    private static Embeddings repeat(Embeddings one, int times) {
        float[] out = new float[one.data().length * times];
        for (int i = 0; i < times; i++) {
            System.arraycopy(one.data(), 0, out, i * one.data().length, one.data().length);
        }
        return new Embeddings(out, one.batch() * times, one.tokens(), one.width());
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
