package io.qwenimage.engine.pipeline;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.qwenimage.engine.BatchEntry;
import io.qwenimage.engine.BatchResults;
import io.qwenimage.engine.model.Embeddings;
import io.qwenimage.engine.model.FlowText;
import io.qwenimage.engine.model.ModelInfo;
import io.qwenimage.engine.model.Sd3Model;
import io.qwenimage.engine.model.TextEncoderStage;
import io.qwenimage.engine.scheduler.GaussianNoise;
import io.qwenimage.engine.tokenizer.TokenizedPrompt;
import java.util.List;

/**
 * The SD3 / SD3.5 family, as diffusers' {@code StableDiffusion3Pipeline} and {@code StableDiffusion3Img2ImgPipeline}
 * run it: the prompt through CLIP-L and CLIP-G (the penultimate hidden states of each, joined per token and
 * zero-padded to the transformer's text width; their pooled outputs joined) and T5 (its last hidden state, padded to
 * {@code max_sequence_length}, 256 by default; zeros when the export has no T5), CLIP's 77 tokens first; noise
 * {@code (16, H/8, W/8)} given to the transformer unpacked; flow-matching Euler on the scheduler's training-table
 * sigmas shifted (static shift 3.0 in SD3's file); the transformer given sigma·1000; classifier-free guidance
 * batched with the negative prompt ("" when none) when {@code guidance_scale > 1}.
 */
public final class Sd3Pipeline extends ImagePipeline {

    /** StableDiffusion3Pipeline's default max_sequence_length (T5 tokens). */
    public static final int DEFAULT_MAX_SEQUENCE_LENGTH = 256;

    private final Sd3Model model;
    private final NoiseFactory noise;
    private final FlowBatch.LatentProbe probe;
    private final LatentPreviewer previewer;

    public Sd3Pipeline(Sd3Model model) {
        this(model, GaussianNoise::new, FlowBatch.LatentProbe.NONE);
    }

    Sd3Pipeline(Sd3Model model, NoiseFactory noise, FlowBatch.LatentProbe probe) {
        this.model = model;
        this.noise = noise;
        this.probe = probe;
        this.previewer = FlowBatch.previewer(model.vae());
    }

    public Sd3Model model() {
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

    /** One prompt's conditioning: (77 + length) x joint width states and the joined pooled vector. */
    FlowBatch.FlowPrompt conditioning(String prompt, int length) throws OrtException {
        TokenizedPrompt l = model.clipLTokenizer().encode(prompt);
        TokenizedPrompt g = model.clipGTokenizer().encode(prompt);
        TokenizedPrompt t5Ids = model.t5Tokenizer() == null ? null : model.t5Tokenizer().encode(prompt, length);
        TextEncoderStage.PooledEncoding el = model.clipLEncoder().encodePooled(new int[][] {l.ids()});
        TextEncoderStage.PooledEncoding eg = model.clipGEncoder().encodePooled(new int[][] {g.ids()});
        Embeddings t5 = t5Ids == null ? null : model.t5().encode(new int[][] {t5Ids.ids()});
        Embeddings clip = el.hidden().beside(eg.hidden());
        // the widths fit: Sd3Model checked them when it opened the folder
        int width = model.jointWidth();
        // CLIP's joined states zero-padded to the transformer's width, then T5's tokens (or zeros) after them
        float[] states = new float[(clip.tokens() + length) * width];
        for (int t = 0; t < clip.tokens(); t++) {
            System.arraycopy(clip.data(), t * clip.width(), states, t * width, clip.width());
        }
        if (t5 != null) {
            System.arraycopy(t5.data(), 0, states, clip.tokens() * width, length * width);
        }
        float[] pooled = new float[el.pooledWidth() + eg.pooledWidth()];
        System.arraycopy(el.pooled(), 0, pooled, 0, el.pooledWidth());
        System.arraycopy(eg.pooled(), 0, pooled, el.pooledWidth(), eg.pooledWidth());
        String truncated = !l.truncated().isEmpty() ? l.truncated() : t5Ids == null ? "" : t5Ids.truncated();
        return new FlowBatch.FlowPrompt(states, clip.tokens() + length, width, pooled, truncated);
    }

    private final class Batch extends FlowBatch {

        @Override
        LatentPreviewer previewer() {
            return previewer;
        }

        private boolean cfg;
        private FlowText text;          // [positive rows, then negative rows] with CFG

        Batch(List<BatchEntry> entries, BatchResults results, boolean[] done, OrtSession.RunOptions run) {
            super(entries, results, done, run, model.vae(), model.schedulerConfig(), noise, probe,
                    Sd3Pipeline.this::conditioning, DEFAULT_MAX_SEQUENCE_LENGTH, "SD3");
        }

        @Override
        void plan() {
            super.plan();
            cfg = first.guidanceScale() > 1;
        }

        @Override
        float[] toModelLayout(float[] planar) {
            return planar;
        }

        @Override
        float[] toPlanar(float[] modelLayout) {
            return modelLayout;
        }

        @Override
        void encodePrompts() throws OrtException {
            encodeAll(cfg);
            text = cfg ? rows(positive, negative) : rows(positive);
        }

        @Override
        boolean denoise() throws OrtException {
            int rows = cfg ? 2 * images : images;
            // with CFG the latents go in twice (positive rows, then negative rows); one buffer for the whole run
            float[] doubled = cfg ? new float[rows * plane] : null;
            float[] velocity = cfg ? new float[images * plane] : null;
            return loop(step -> {
                double t = (float) scheduler.timestep(step);
                float[] input = latents;
                if (cfg) {
                    System.arraycopy(latents, 0, doubled, 0, images * plane);
                    System.arraycopy(latents, 0, doubled, images * plane, images * plane);
                    input = doubled;
                }
                long t0 = System.nanoTime();
                float[] out = model.transformer().predict(rows, input, latentH, latentW, text, t, run);
                onnx += System.nanoTime() - t0;
                if (!cfg) {
                    return out;
                }
                for (int j = 0; j < entries.size(); j++) {
                    double g = entries.get(j).request().guidanceScale();
                    for (int k = firstImage[j] * plane; k < firstImage[j + 1] * plane; k++) {
                        float uncond = out[images * plane + k];
                        velocity[k] = (float) (uncond + g * (out[k] - uncond));
                    }
                }
                return velocity;
            });
        }
    }
}
