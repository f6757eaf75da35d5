package io.qwenimage.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.qwenimage.engine.CancellationToken;
import io.qwenimage.engine.GenerationRequest;
import io.qwenimage.engine.ProgressListener;
import io.qwenimage.engine.onnx.ExecutionProvider;
import io.qwenimage.engine.onnx.SessionFactory;
import io.qwenimage.engine.onnx.SessionSettings;
import io.qwenimage.engine.pipeline.ImagePipeline;
import io.qwenimage.engine.pipeline.Pipelines;
import io.qwenimage.engine.scheduler.SchedulerKind;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * The service against a bare ONNX Runtime loop on the SD demo (issue 22's baseline), from the client's side, in
 * alternating rounds: each round runs the raw loop {@code perRound} times, the engine in this process as often (where
 * the gap is: the engine's code or the service around it), then as many requests through HTTP (one client, one after
 * another), and reports the ratios of their medians; the summary is the median of the rounds'
 * ratios. The raw loop is its own code over the model files (its own tokenizer for the demo's one-token words, its
 * own Euler schedule from diffusers' formulas, its own tensors), with the service's session options, so what it
 * measures is everything the service does around ONNX Runtime.
 *
 * <p>{@code bench/run.sh SdRawBaseline -Drounds=6 -DperRound=15 -Dsteps=20}
 */
public final class SdRawBaseline {

    private static final String PROMPT = "a red circle on a blue background";
    private static final SessionSettings SERVICE_SETTINGS = new SessionSettings(ExecutionProvider.CPU, 0, 0, 1, false,
            false);

    private SdRawBaseline() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = Integer.getInteger("rounds", 6);
        int perRound = Integer.getInteger("perRound", 15);
        int steps = Integer.getInteger("steps", 20);
        Path model = Path.of(System.getProperty("model", "models/demo"));
        Report report = new Report(System.getProperty("report", "sd-raw-baseline"));
        report.format("SD demo (%s), 64x64, %d steps, Euler, guidance 7.5 (CFG batch of 2), one client; %d rounds of "
                + "%d raw runs then %d service requests, after 5 warm-ups of each; medians (ms).", model, steps, rounds,
                perRound, perRound);
        report.line("");
        report.line("| round | raw ms | engine in process ms | service, client ms | service, server ms | inside ORT "
                + "(service) ms | engine / raw | service / raw |");
        report.line("|---|---|---|---|---|---|---|---|");
        List<Double> ratios = new ArrayList<>();
        Percentiles allRaw = new Percentiles();
        Percentiles allClient = new Percentiles();
        Percentiles allServer = new Percentiles();
        Percentiles allOnnx = new Percentiles();
        Percentiles allEngine = new Percentiles();
        GenerationRequest request = GenerationRequest.textToImage(PROMPT, "", 64, 64, steps, 7.5, SchedulerKind.EULER,
                0, 1);
        try (Raw raw = new Raw(model, steps);
             ImagePipeline engine = Pipelines.open(model, new SessionFactory(SERVICE_SETTINGS));
             ServiceProcess service = ServiceProcess.start(Report.jar(), 8193, List.of("-Dqwen.queue.max-batch=1",
                     "-Dqwen.security.rate-limit.enabled=false"), Path.of("target/bench-sd-raw.log"))) {
            service.awaitReady(Duration.ofMinutes(5));
            Generations http = new Generations(service.baseUrl());
            for (int i = 0; i < 5; i++) {
                raw.generate(i);
                engine.generate(request, ProgressListener.NONE, new CancellationToken());
                http.textToImage(PROMPT, 64, steps, "euler", i, 1);
            }
            for (int r = 0; r < rounds; r++) {
                Percentiles rawRound = new Percentiles();
                Percentiles engineRound = new Percentiles();
                Percentiles clientRound = new Percentiles();
                Percentiles serverRound = new Percentiles();
                Percentiles onnxRound = new Percentiles();
                for (int i = 0; i < perRound; i++) {
                    long t0 = System.nanoTime();
                    raw.generate(r * perRound + i);
                    double ms = (System.nanoTime() - t0) / 1e6;
                    rawRound.add(ms);
                    allRaw.add(ms);
                }
                for (int i = 0; i < perRound; i++) {
                    long t0 = System.nanoTime();
                    engine.generate(request, ProgressListener.NONE, new CancellationToken());
                    double ms = (System.nanoTime() - t0) / 1e6;
                    engineRound.add(ms);
                    allEngine.add(ms);
                }
                for (int i = 0; i < perRound; i++) {
                    Generations.Answer a = http.textToImage(PROMPT, 64, steps, "euler", 1000 + r * perRound + i, 1);
                    if (a.status() != 200 || a.serverMillis() < 0) {
                        throw new IllegalStateException("answer " + a.status() + " without Server-Timing");
                    }
                    clientRound.add(a.clientMillis());
                    serverRound.add(a.serverMillis());
                    onnxRound.add(a.onnxMillis());
                    allClient.add(a.clientMillis());
                    allServer.add(a.serverMillis());
                    allOnnx.add(a.onnxMillis());
                }
                double ratio = clientRound.median() / rawRound.median();
                ratios.add(ratio);
                report.format("| %d | %.1f | %.1f | %.1f | %.1f | %.1f | %.3f | %.3f |", r + 1, rawRound.median(),
                        engineRound.median(), clientRound.median(), serverRound.median(), onnxRound.median(),
                        engineRound.median() / rawRound.median(), ratio);
            }
        }
        double[] sorted = ratios.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        double median = sorted.length % 2 == 1 ? sorted[sorted.length / 2]
                : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
        report.line("");
        report.format("Median of the rounds' ratios (service client-side / raw): **%.3f** (min %.3f, "
                + "max %.3f). All runs: raw %.1f ms, engine in process %.1f ms, service client %.1f ms, server %.1f "
                + "ms, of which inside ONNX Runtime %.1f ms: %.2f ms outside ONNX Runtime on the server.", median,
                sorted[0], sorted[sorted.length - 1], allRaw.median(), allEngine.median(), allClient.median(),
                allServer.median(), allOnnx.median(), allServer.median() - allOnnx.median());
        report.save();
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
            SessionFactory sessions = new SessionFactory(SERVICE_SETTINGS);
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
