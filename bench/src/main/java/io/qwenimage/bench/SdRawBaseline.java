package io.qwenimage.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.qwenimage.engine.GenerationRequest;
import io.qwenimage.engine.onnx.SessionFactory;
import io.qwenimage.engine.scheduler.SchedulerKind;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * The service against a bare ONNX Runtime loop on the SD demo (issue 22), in {@link RawComparison}'s alternating
 * rounds: the raw loop is its own code over the model files (its own tokenizer for the demo's one-token words, its
 * own Euler schedule from diffusers' formulas, a CFG batch of 2, plain {@code OrtSession.run} with fresh tensors),
 * with the service's session options, so what the ratio measures is everything the service does around ONNX
 * Runtime.
 *
 * <p>{@code bench/run.sh SdRawBaseline -Drounds=8 -DperRound=15 -Dsteps=20} (and {@code -Dwarmup=2000}, the service's
 * warm-up requests; {@code -Dqwen.bench.baseline.jar=...} for another build side by side)
 */
public final class SdRawBaseline {

    private static final String PROMPT = "a red circle on a blue background";

    private SdRawBaseline() {
    }

    public static void main(String[] args) throws Exception {
        int steps = Integer.getInteger("steps", 20);
        Path model = Path.of(System.getProperty("model", "models/demo"));
        Report report = new Report(System.getProperty("report", "sd-raw-baseline"));
        report.format("SD demo (%s), 64x64, %d steps, Euler, guidance 7.5 (CFG batch of 2).", model, steps);
        report.line("");
        GenerationRequest request = GenerationRequest.textToImage(PROMPT, "", 64, 64, steps, 7.5, SchedulerKind.EULER,
                0, 1);
        try (Raw raw = new Raw(model, steps)) {
            RawComparison.run(report, new RawComparison.Setup(model, "euler", PROMPT, steps, 8193), raw::generate,
                    request);
        }
    }

    /** SD's sampling loop over the demo's three graphs, written as plainly as possible. */
    private static final class Raw implements AutoCloseable {
        private final OrtEnvironment env = OrtEnvironment.getEnvironment();
        private final OrtSession text;
        private final OrtSession unet;
        private final OrtSession decoder;
        private final long[] ids;
        private final double[] timesteps;
        private final double[] sigmas;
        private final float scaling;

        Raw(Path model, int steps) throws Exception {
            SessionFactory sessions = new SessionFactory(RawComparison.SERVICE_SETTINGS);
            text = sessions.open(model.resolve("text_encoder/model.onnx"));
            unet = sessions.open(model.resolve("unet/model.onnx"));
            decoder = sessions.open(model.resolve("vae_decoder/model.onnx"));
            ObjectMapper json = new ObjectMapper();
            JsonNode vocab = json.readTree(model.resolve("tokenizer/vocab.json").toFile());
            ids = tokens(vocab, PROMPT, "");
            scaling = (float) json.readTree(model.resolve("vae_decoder/config.json").toFile())
                    .get("scaling_factor").asDouble();
            // EulerDiscreteScheduler, linspace spacing: timesteps linspace(0, 999, n) reversed, sigmas interpolated
            double[] alphaBar = new double[1000];
            double b0 = Math.sqrt(0.00085);
            double b1 = Math.sqrt(0.012);
            double product = 1;
            for (int t = 0; t < 1000; t++) {
                double beta = Math.pow(b0 + (b1 - b0) * t / 999.0, 2);
                product *= 1 - beta;
                alphaBar[t] = product;
            }
            timesteps = new double[steps];
            sigmas = new double[steps + 1];
            for (int i = 0; i < steps; i++) {
                double t = 999.0 * (steps - 1 - i) / Math.max(1, steps - 1);
                timesteps[i] = t;
                int lo = (int) Math.floor(t);
                int hi = Math.min(999, lo + 1);
                double s0 = Math.sqrt((1 - alphaBar[lo]) / alphaBar[lo]);
                double s1 = Math.sqrt((1 - alphaBar[hi]) / alphaBar[hi]);
                sigmas[i] = s0 + (s1 - s0) * (t - lo);
            }
        }

        /** The uncond row then the cond row: BOS, one id per word (the demo's words are single tokens), EOS pad. */
        static long[] tokens(JsonNode vocab, String prompt, String negative) {
            long[] out = new long[2 * 77];
            int bos = vocab.get("<|startoftext|>").asInt();
            int eos = vocab.get("<|endoftext|>").asInt();
            String[] rows = {negative, prompt};
            for (int r = 0; r < 2; r++) {
                Arrays.fill(out, r * 77, (r + 1) * 77, eos);
                out[r * 77] = bos;
                int at = 1;
                for (String word : rows[r].toLowerCase(Locale.ROOT).split(" ")) {
                    if (!word.isEmpty()) {
                        out[r * 77 + at++] = vocab.get(word + "</w>").asInt();
                    }
                }
            }
            return out;
        }

        void generate(long seed) throws OrtException {
            float[] context;
            try (OnnxTensor in = OnnxTensor.createTensor(env, LongBuffer.wrap(ids), new long[] {2, 77});
                 OrtSession.Result r = text.run(Map.of("input_ids", in))) {
                FloatBuffer b = ((OnnxTensor) r.get(0)).getFloatBuffer();
                context = new float[b.remaining()];
                b.get(context);
            }
            Random random = new Random(seed);
            float[] x = new float[4 * 64];
            for (int k = 0; k < x.length; k++) {
                x[k] = (float) (random.nextGaussian() * Math.sqrt(sigmas[0] * sigmas[0] + 1));
            }
            float[] batch = new float[2 * x.length];
            for (int i = 0; i < timesteps.length; i++) {
                float scale = (float) (1 / Math.sqrt(sigmas[i] * sigmas[i] + 1));
                for (int k = 0; k < x.length; k++) {
                    batch[k] = x[k] * scale;
                    batch[x.length + k] = x[k] * scale;
                }
                float[] eps = new float[batch.length];
                try (OnnxTensor s = OnnxTensor.createTensor(env, FloatBuffer.wrap(batch), new long[] {2, 4, 8, 8});
                     OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(new float[] {(float) timesteps[i]}),
                             new long[0]);
                     OnnxTensor c = OnnxTensor.createTensor(env, FloatBuffer.wrap(context), new long[] {2, 77, 64});
                     OrtSession.Result r = unet.run(Map.of("sample", s, "timestep", t, "encoder_hidden_states", c))) {
                    ((OnnxTensor) r.get(0)).getFloatBuffer().get(eps);
                }
                double dt = sigmas[i + 1] - sigmas[i];
                for (int k = 0; k < x.length; k++) {
                    float guided = eps[k] + 7.5f * (eps[x.length + k] - eps[k]);
                    x[k] += (float) (guided * dt);          // Euler: x + (x - x0) / sigma * dt, x0 = x - sigma eps
                }
            }
            for (int k = 0; k < x.length; k++) {
                x[k] /= scaling;
            }
            try (OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), new long[] {1, 4, 8, 8})) {
                RawDecoding.rgb(decoder, in, 3 * 64 * 64);
            }
        }

        @Override
        public void close() throws OrtException {
            text.close();
            unet.close();
            decoder.close();
        }
    }
}
