package io.qwenimage.engine.pipeline;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.qwenimage.engine.BatchEntry;
import io.qwenimage.engine.BatchResults;
import io.qwenimage.engine.model.Embeddings;
import io.qwenimage.engine.model.FlowText;
import io.qwenimage.engine.model.FluxModel;
import io.qwenimage.engine.model.ModelInfo;
import io.qwenimage.engine.model.TextEncoderStage;
import io.qwenimage.engine.qwen.LatentPacking;
import io.qwenimage.engine.scheduler.GaussianNoise;
import io.qwenimage.engine.tokenizer.TokenizedPrompt;
import java.util.List;

/**
 * The FLUX.1 family (dev and schnell), as diffusers' {@code FluxPipeline} and {@code FluxImg2ImgPipeline} run it:
 * the prompt through CLIP-L (its pooled output) and T5 (padded to {@code max_sequence_length}, 512 by default);
 * noise {@code (16, H/8, W/8)} packed 2x2 into {@code (H/16)·(W/16)} tokens of 64 with their ids [0, row, col];
 * sigmas {@code linspace(1, 1/N, N)} shifted by mu of that token count (dev) or not at all (schnell's shift 1); the
 * transformer given t / 1000 and, for dev, the distilled guidance ({@code guidance_scale}, one pass); true CFG (a
 * second pass with the negative prompt, {@code neg + s·(pos - neg)}) only when {@code true_cfg_scale > 1}.
 *
 * <p>Differences from diffusers, on purpose: with {@code true_cfg_scale > 1} and no negative prompt the negative
 * pass uses the empty prompt (diffusers then skips true CFG silently); sizes must be multiples of 16 (diffusers
 * rounds down).
 */
public final class FluxPipeline extends ImagePipeline {

    /** FluxPipeline's default max_sequence_length. */
    public static final int DEFAULT_MAX_SEQUENCE_LENGTH = 512;

    private final FluxModel model;
    private final NoiseFactory noise;
    private final FlowBatch.LatentProbe probe;
    private final LatentPreviewer previewer;

    public FluxPipeline(FluxModel model) {
        this(model, GaussianNoise::new, FlowBatch.LatentProbe.NONE);
    }

    FluxPipeline(FluxModel model, NoiseFactory noise, FlowBatch.LatentProbe probe) {
        this.model = model;
        this.noise = noise;
        this.probe = probe;
        this.previewer = FlowBatch.previewer(model.vae());
    }

    public FluxModel model() {
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

    /** One prompt's conditioning: T5's states read to {@code length} tokens and CLIP's pooled vector. */
    FlowBatch.FlowPrompt conditioning(String prompt, int length) throws OrtException {
        TokenizedPrompt clipIds = model.clipTokenizer().encode(prompt);
        TokenizedPrompt t5Ids = model.t5Tokenizer().encode(prompt, length);
        TextEncoderStage.Pooled pooled = model.clip().pooled(new int[][] {clipIds.ids()});
        Embeddings t5 = model.t5().encode(new int[][] {t5Ids.ids()});
        return new FlowBatch.FlowPrompt(t5.data(), t5.tokens(), t5.width(), pooled.values(), t5Ids.truncated());
    }

    private final class Batch extends FlowBatch {

        @Override
        LatentPreviewer previewer() {
            return previewer;
        }

        private boolean trueCfg;
        private double[] imageIds;
        private FlowText condText;
        private FlowText negativeText;

        Batch(List<BatchEntry> entries, BatchResults results, boolean[] done, OrtSession.RunOptions run) {
            super(entries, results, done, run, model.vae(), model.schedulerConfig(), noise, probe,
                    FluxPipeline.this::conditioning, DEFAULT_MAX_SEQUENCE_LENGTH, "FLUX");
        }

        @Override
        void plan() {
            super.plan();
            trueCfg = first.trueCfgScale() > 1;
            int ph = latentH / 2;
            int pw = latentW / 2;
            imageIds = new double[ph * pw * 3];
            for (int r = 0; r < ph; r++) {
                for (int c = 0; c < pw; c++) {
                    imageIds[(r * pw + c) * 3 + 1] = r;
                    imageIds[(r * pw + c) * 3 + 2] = c;
                }
            }
        }

        @Override
        float[] toModelLayout(float[] planar) {
            return LatentPacking.pack(planar, model.vae().channels(), latentH, latentW);
        }

        @Override
        float[] toPlanar(float[] packed) {
            return LatentPacking.unpack(packed, model.vae().channels(), latentH, latentW);
        }

        @Override
        void encodePrompts() throws OrtException {
            encodeAll(trueCfg);
            condText = rows(positive);
            negativeText = trueCfg ? rows(negative) : null;
        }

        @Override
        boolean denoise() throws OrtException {
            double[] guidance = null;
            if (model.transformer().takesGuidance()) {
                guidance = new double[images];
                for (int j = 0; j < entries.size(); j++) {
                    for (int i = firstImage[j]; i < firstImage[j + 1]; i++) {
                        guidance[i] = (float) entries.get(j).request().guidanceScale();
                    }
                }
            }
            double[] distilled = guidance;
            return loop(step -> {
                // diffusers gives the transformer timesteps[i] / 1000, both float32
                double t = (float) scheduler.timestep(step) / 1000f;
                float[] velocity = predict(condText, t, distilled);
                if (!trueCfg) {
                    return velocity;
                }
                float[] unguided = predict(negativeText, t, distilled);
                for (int j = 0; j < entries.size(); j++) {
                    double scale = entries.get(j).request().trueCfgScale();
                    for (int k = firstImage[j] * plane; k < firstImage[j + 1] * plane; k++) {
                        velocity[k] = (float) (unguided[k] + scale * (velocity[k] - unguided[k]));
                    }
                }
                return velocity;
            });
        }

        private float[] predict(FlowText text, double t, double[] guidance) throws OrtException {
            long t0 = System.nanoTime();
            float[] out = model.transformer().predict(images, latents, tokens, text, t, guidance, imageIds, run);
            onnx += System.nanoTime() - t0;
            return out;
        }
    }
}
