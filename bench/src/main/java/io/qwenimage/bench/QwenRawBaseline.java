package io.qwenimage.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.qwenimage.engine.GenerationRequest;
import io.qwenimage.engine.onnx.SessionFactory;
import io.qwenimage.engine.qwen.QwenRotaryTables;
import io.qwenimage.engine.scheduler.FlowMatchConfig;
import io.qwenimage.engine.scheduler.SchedulerKind;
import io.qwenimage.engine.tokenizer.QwenTokenizer;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;

/**
 * The service against a bare ONNX Runtime loop on the Qwen-Image demo (issue 22), at its size (64x64), in
 * {@link RawComparison}'s alternating rounds: the same work (prompt and negative prompt through the text encoder,
 * N steps of two transformer calls with true CFG and the Euler update, one VAE decode) raw (straight ONNX Runtime
 * calls with pre-tokenized ids and pre-computed rotary tables, the least code possible around them), through the
 * engine ({@code QwenImagePipeline.generate}) and through the service ({@code POST /text-to-image}).
 *
 * <p>{@code bench/run.sh QwenRawBaseline -Drounds=8 -DperRound=15 -Dsteps=20 -Dmodel=models/demo-qwen}
 */
public final class QwenRawBaseline {

    private static final String PROMPT = "a red circle on a blue background";

    private QwenRawBaseline() {
    }

    public static void main(String[] args) throws Exception {
        int steps = Integer.getInteger("steps", 20);
        Path model = Path.of(System.getProperty("model", "models/demo-qwen"));
        Report report = new Report(System.getProperty("report", "qwen-raw-baseline"));
        report.format("Qwen demo (%s), 64x64, %d steps, true_cfg_scale 4, negative prompt \"\", flow_match_euler.",
                model, steps);
        report.line("");
        GenerationRequest request = GenerationRequest.textToImage(PROMPT, "", 64, 64, steps, 4.0,
                SchedulerKind.FLOW_MATCH_EULER, 0, 1);
        try (Raw raw = new Raw(model, steps)) {
            RawComparison.run(report, new RawComparison.Setup(model, "flow_match_euler", PROMPT, steps, 8191),
                    raw::generate, request);
        }
    }

    /** The pipeline written as plainly as possible over four sessions. */
    private static final class Raw implements AutoCloseable {
        private final OrtEnvironment env = OrtEnvironment.getEnvironment();
        private final OrtSession text;
        private final OrtSession transformer;
        private final OrtSession decoder;
        private final long[] promptIds;
        private final long[] negativeIds;
        private final QwenRotaryTables.Table image;
        private final QwenRotaryTables.Table promptRotary;
        private final QwenRotaryTables.Table negativeRotary;
        private final float[] sigmas;
        private final float[] mean;
        private final float[] std;

        Raw(Path model, int steps) throws Exception {
            // the engine's own session options, as the service sets them: the comparison is then of the code
            // around the sessions only
            SessionFactory sessions = new SessionFactory(RawComparison.SERVICE_SETTINGS);
            text = sessions.open(model.resolve("text_encoder/model.onnx"));
            transformer = sessions.open(model.resolve("transformer/model.onnx"));
            decoder = sessions.open(model.resolve("vae_decoder/model.onnx"));
            try (QwenTokenizer tokenizer = QwenTokenizer.load(model.resolve("tokenizer"))) {
                promptIds = tokenizer.encode(PROMPT).ids();
                negativeIds = tokenizer.encode("").ids();
            }
            QwenRotaryTables rotary = new QwenRotaryTables(10000, new int[] {8, 12, 12}, true);
            image = rotary.image(4, 4);
            promptRotary = rotary.text(promptIds.length - QwenTokenizer.PREFIX_TOKENS, 4, 4);
            negativeRotary = rotary.text(negativeIds.length - QwenTokenizer.PREFIX_TOKENS, 4, 4);
            sigmas = sigmas(steps, 16);
            com.fasterxml.jackson.databind.JsonNode vae = new com.fasterxml.jackson.databind.ObjectMapper()
                    .readTree(model.resolve("vae_decoder/config.json").toFile());
            mean = new float[16];
            std = new float[16];
            for (int c = 0; c < 16; c++) {
                mean[c] = (float) vae.get("latents_mean").get(c).asDouble();
                std[c] = (float) vae.get("latents_std").get(c).asDouble();
            }
        }

        /** Qwen-Image's shifted sigmas (dynamic mu, exponential, shift_terminal 0.02), then 0. */
        static float[] sigmas(int n, int tokens) {
            FlowMatchConfig c = FlowMatchConfig.qwenImage();
            double eMu = Math.exp(c.mu(tokens));
            double[] s = new double[n];
            for (int i = 0; i < n; i++) {
                double t = (float) (1.0 + i * ((1.0 / n - 1.0) / Math.max(1, n - 1)));
                s[i] = eMu / (eMu + (1 / t - 1));
            }
            double scale = (1 - s[n - 1]) / (1 - 0.02);
            float[] out = new float[n + 1];
            for (int i = 0; i < n; i++) {
                out[i] = (float) (1 - (1 - s[i]) / scale);
            }
            return out;
        }

        float[] encode(long[] ids) throws OrtException {
            long[] mask = new long[ids.length];
            java.util.Arrays.fill(mask, 1);
            try (OnnxTensor i = OnnxTensor.createTensor(env, LongBuffer.wrap(ids), new long[] {1, ids.length});
                 OnnxTensor m = OnnxTensor.createTensor(env, LongBuffer.wrap(mask), new long[] {1, ids.length});
                 OrtSession.Result r = text.run(Map.of("input_ids", i, "attention_mask", m))) {
                FloatBuffer out = ((OnnxTensor) r.get(0)).getFloatBuffer();
                float[] all = new float[out.remaining()];
                out.get(all);
                return java.util.Arrays.copyOfRange(all, QwenTokenizer.PREFIX_TOKENS * 64, all.length);
            }
        }

        float[] velocity(float[] x, float[] states, QwenRotaryTables.Table words, float t) throws OrtException {
            int tokens = states.length / 64;
            long[] mask = new long[tokens];
            java.util.Arrays.fill(mask, 1);
            try (OnnxTensor h = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), new long[] {1, 16, 64});
                 OnnxTensor e = OnnxTensor.createTensor(env, FloatBuffer.wrap(states), new long[] {1, tokens, 64});
                 OnnxTensor m = OnnxTensor.createTensor(env, LongBuffer.wrap(mask), new long[] {1, tokens});
                 OnnxTensor ts = OnnxTensor.createTensor(env, FloatBuffer.wrap(new float[] {t}), new long[] {1});
                 OnnxTensor ic = OnnxTensor.createTensor(env, FloatBuffer.wrap(image.cos()), new long[] {16, 16});
                 OnnxTensor is = OnnxTensor.createTensor(env, FloatBuffer.wrap(image.sin()), new long[] {16, 16});
                 OnnxTensor tc = OnnxTensor.createTensor(env, FloatBuffer.wrap(words.cos()), new long[] {tokens, 16});
                 OnnxTensor tsn = OnnxTensor.createTensor(env, FloatBuffer.wrap(words.sin()), new long[] {tokens, 16});
                 OrtSession.Result r = transformer.run(Map.of("hidden_states", h, "encoder_hidden_states", e,
                         "encoder_hidden_states_mask", m, "timestep", ts, "image_rotary_cos", ic,
                         "image_rotary_sin", is, "text_rotary_cos", tc, "text_rotary_sin", tsn))) {
                float[] out = new float[16 * 64];
                ((OnnxTensor) r.get(0)).getFloatBuffer().get(out);
                return out;
            }
        }

        void generate(long seed) throws OrtException {
            float[] cond = encode(promptIds);
            float[] neg = encode(negativeIds);
            Random random = new Random(seed);
            float[] x = new float[16 * 64];
            for (int k = 0; k < x.length; k++) {
                x[k] = (float) random.nextGaussian();
            }
            for (int i = 0; i + 1 < sigmas.length; i++) {
                float t = (sigmas[i] * 1000f) / 1000f;
                float[] c = velocity(x, cond, promptRotary, t);
                float[] n = velocity(x, neg, negativeRotary, t);
                for (int tok = 0; tok < 16; tok++) {
                    double cn = 0;
                    double vn = 0;
                    float[] v = new float[64];
                    for (int k = 0; k < 64; k++) {
                        int at = tok * 64 + k;
                        v[k] = n[at] + 4f * (c[at] - n[at]);
                        cn += c[at] * c[at];
                        vn += v[k] * v[k];
                    }
                    double ratio = Math.sqrt(cn / vn);
                    for (int k = 0; k < 64; k++) {
                        x[tok * 64 + k] += (sigmas[i + 1] - sigmas[i]) * (float) (v[k] * ratio);
                    }
                }
            }
            float[] z = new float[16 * 64];
            for (int i = 0; i < 4; i++) {
                for (int j = 0; j < 4; j++) {
                    for (int c = 0; c < 16; c++) {
                        for (int dy = 0; dy < 2; dy++) {
                            for (int dx = 0; dx < 2; dx++) {
                                float v = x[(i * 4 + j) * 64 + c * 4 + dy * 2 + dx];
                                z[(c * 8 + 2 * i + dy) * 8 + 2 * j + dx] = v * std[c] + mean[c];
                            }
                        }
                    }
                }
            }
            try (OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(z), new long[] {1, 16, 1, 8, 8})) {
                RawDecoding.rgb(decoder, in, 3 * 64 * 64);
            }
        }

        @Override
        public void close() throws OrtException {
            text.close();
            transformer.close();
            decoder.close();
        }
    }
}
