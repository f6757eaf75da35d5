package io.qwenimage.bench;

import com.sun.net.httpserver.HttpServer;
import io.qwenimage.engine.CancellationToken;
import io.qwenimage.engine.GenerationRequest;
import io.qwenimage.engine.ProgressListener;
import io.qwenimage.engine.onnx.ExecutionProvider;
import io.qwenimage.engine.onnx.SessionFactory;
import io.qwenimage.engine.onnx.SessionSettings;
import io.qwenimage.engine.pipeline.ImagePipeline;
import io.qwenimage.engine.pipeline.Pipelines;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/**
 * Issue 22's comparison, shared by the SD and Qwen-Image tools: a raw ONNX Runtime loop (the tool's own code over
 * the model files), the engine in this process, and the service's jar over HTTP, in alternating rounds, each round
 * {@code perRound} runs of each; per round the ratios of the medians, and the median of the rounds' ratios.
 *
 * <p>The service runs with every feature on: an API key (sent by the client), the rate limit (high enough never to
 * refuse), metrics, access and audit lines, and tracing (OpenTelemetry's SDK on, spans exported over OTLP/HTTP to a
 * sink in this process that answers 200). Before the rounds the service answers {@code warmup} two-step requests
 * (the request path's code compiled as after some minutes of traffic; one step is refused by some schedulers) and
 * everything runs a few full warm-ups.
 */
final class RawComparison {

    /**
     * The service's default session settings (CPU, ONNX Runtime's thread count, memory pattern off, no spinning),
     * for the raw loops and the engine: with spinning on, the in-process runs would be faster than the service for
     * a reason that is not code.
     */
    static final SessionSettings SERVICE_SETTINGS = new SessionSettings(ExecutionProvider.CPU, 0, 0, 1, false,
            false);

    /** A tool's own sampling loop over the model's graphs. */
    interface RawLoop {
        void generate(long seed) throws Exception;
    }

    /** One run of a way, by index (the seed's variation); returns its milliseconds inside ONNX Runtime, or NaN. */
    private interface Way {
        double run(int index) throws Exception;
    }

    /**
     * What a tool compares.
     *
     * @param model     the model folder the service loads
     * @param scheduler the service's scheduler name for the request
     * @param prompt    the prompt of every run
     * @param steps     denoising steps of a full run
     * @param port      the service's port
     */
    record Setup(Path model, String scheduler, String prompt, int steps, int port) {
    }

    private RawComparison() {
    }

    /** Compares {@code rawLoop}, the engine (the model opened here) on {@code request}, and the service. */
    static void run(Report report, Setup setup, RawLoop rawLoop, GenerationRequest request) throws Exception {
        try (ImagePipeline pipeline = Pipelines.open(setup.model(), new SessionFactory(SERVICE_SETTINGS))) {
            compare(report, setup, i -> {
                rawLoop.generate(i);
                return Double.NaN;
            }, i -> pipeline.generate(request, ProgressListener.NONE, new CancellationToken()).onnxNanos() / 1e6);
        }
    }

    private static void compare(Report report, Setup setup, Way raw, Way engine) throws Exception {
        int rounds = Integer.getInteger("rounds", 6);
        int perRound = Integer.getInteger("perRound", 15);
        int warmup = Integer.getInteger("warmup", 2000);
        String baselineJar = System.getProperty("qwen.bench.baseline.jar");
        String key = "qk-bench-" + UUID.randomUUID();
        HttpServer sink = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        sink.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        sink.start();
        List<String> properties = List.of("-Dqwen.model.path=" + setup.model(), "-Dqwen.queue.max-batch=1",
                "-Dqwen.security.api-keys=bench=" + key,
                "-Dqwen.security.rate-limit.enabled=true",
                "-Dqwen.security.rate-limit.requests-per-minute=100000000",
                "-Dqwen.security.rate-limit.requests-per-hour=1000000000",
                "-Dqwen.security.rate-limit.burst=1000000",
                "-Dquarkus.otel.sdk.disabled=false",
                "-Dquarkus.otel.exporter.otlp.traces.protocol=http/protobuf",
                "-Dquarkus.otel.exporter.otlp.traces.endpoint=http://127.0.0.1:" + sink.getAddress().getPort());
        report.format("Service: %s%s, with every feature on (API key, rate limit, metrics, access and audit lines, "
                + "tracing exported over OTLP/HTTP); %d two-step requests to warm it, then %d rounds of %d raw runs, "
                + "%d engine runs and %d requests (one client, HTTP/1.1, keep-alive); medians (ms).", Report.jar(),
                baselineJar == null ? "" : " against the baseline " + baselineJar + " (same settings, its requests "
                        + "in each round after the service's)", warmup, rounds, perRound, perRound, perRound);
        report.line("");
        report.line("| round | raw | engine in process | service, client | service, server (to headers) | inside "
                + "ORT (service) | engine / raw | service / raw |" + (baselineJar == null ? ""
                : " baseline, client | baseline / raw |"));
        report.line("|---|---|---|---|---|---|---|---|" + (baselineJar == null ? "" : "---|---|"));
        Percentiles allRaw = new Percentiles();
        Percentiles allEngine = new Percentiles();
        Percentiles engineOutside = new Percentiles();
        List<Double> engineRatios = new ArrayList<>();
        List<Served> services = new ArrayList<>();
        try {
            services.add(new Served(ServiceProcess.start(Report.jar(), setup.port(), properties,
                    Path.of("target/bench-raw-comparison.log")), key));
            if (baselineJar != null) {
                services.add(new Served(ServiceProcess.start(Path.of(baselineJar), setup.port() + 1, properties,
                        Path.of("target/bench-raw-comparison-baseline.log")), key));
            }
            for (Served s : services) {
                s.process.awaitReady(Duration.ofMinutes(5));
                for (int i = 0; i < warmup; i++) {
                    s.send(setup, 2, 1_000_000 + i);
                }
            }
            for (int i = 0; i < 5; i++) {
                raw.run(i);
                engine.run(i);
                for (Served s : services) {
                    s.send(setup, setup.steps(), i);
                }
            }
            for (int r = 0; r < rounds; r++) {
                Percentiles rawRound = timed(raw, r * perRound, perRound, allRaw, new Percentiles());
                Percentiles engineRound = timed(engine, r * perRound, perRound, allEngine, engineOutside);
                engineRatios.add(engineRound.median() / rawRound.median());
                for (Served s : services) {
                    s.round(setup, r * perRound, perRound, rawRound.median());
                }
                Served main = services.get(0);
                StringBuilder row = new StringBuilder(String.format(Locale.ROOT,
                        "| %d | %.1f | %.1f | %.1f | %.1f | %.1f | %.3f | %.3f |", r + 1, rawRound.median(),
                        engineRound.median(), main.lastClient, main.lastServer, main.lastOnnx,
                        engineRound.median() / rawRound.median(), main.ratios.get(r)));
                if (services.size() > 1) {
                    Served base = services.get(1);
                    row.append(String.format(Locale.ROOT, " %.1f | %.3f |", base.lastClient, base.ratios.get(r)));
                }
                report.line(row.toString());
            }
        } finally {
            for (Served s : services) {
                s.process.close();
            }
            sink.stop(0);
        }
        report.line("");
        report.format("Engine in process / raw, median of the rounds: %.3f. All runs: raw %.1f ms, engine %.1f ms, "
                + "of which outside ONNX Runtime %.2f ms (tokenizing, scheduler, tensors, decoding to RGB: the "
                + "engine's share of the worker's time outside it).", median(engineRatios), allRaw.median(),
                allEngine.median(), engineOutside.median());
        for (int k = 0; k < services.size(); k++) {
            Served s = services.get(k);
            report.line("");
            report.format("%s: service client-side / raw, median of the rounds **%.3f** (min %.3f, max %.3f); "
                    + "client %.1f ms, server %.1f ms, inside ONNX Runtime %.1f ms. Per request, medians: outside "
                    + "ONNX Runtime on the server **%.2f ms** (arrival to queued %.2f, on the worker outside ONNX "
                    + "Runtime %.2f, worker done to headers %.2f); headers to the answer read by the client %.2f ms.",
                    k == 0 ? "Service" : "Baseline", median(s.ratios), s.ratios.stream().mapToDouble(d -> d).min()
                            .orElse(0), s.ratios.stream().mapToDouble(d -> d).max().orElse(0), s.client.median(),
                    s.server.median(), s.onnx.median(), s.outside.median(), s.admit.median(), s.worker.median(),
                    s.respond.median(), s.wire.median());
        }
        report.save();
    }

    /** A service process under measurement, its client and what its requests showed. */
    private static final class Served {
        final ServiceProcess process;
        final Generations http;
        final List<Double> ratios = new ArrayList<>();
        final Percentiles client = new Percentiles();
        final Percentiles server = new Percentiles();
        final Percentiles onnx = new Percentiles();
        final Percentiles outside = new Percentiles();
        final Percentiles admit = new Percentiles();
        final Percentiles worker = new Percentiles();
        final Percentiles respond = new Percentiles();
        final Percentiles wire = new Percentiles();
        double lastClient;
        double lastServer;
        double lastOnnx;

        Served(ServiceProcess process, String key) {
            this.process = process;
            this.http = new Generations(process.baseUrl(), key);
        }

        Generations.Answer send(Setup setup, int steps, long seed) throws Exception {
            Generations.Answer a = http.textToImage(setup.prompt(), 64, steps, setup.scheduler(), seed, 1);
            if (a.status() != 200 || a.serverMillis() < 0) {
                throw new IOException("answer " + a.status() + " without Server-Timing");
            }
            return a;
        }

        void round(Setup setup, int first, int count, double rawMedian) throws Exception {
            Percentiles c = new Percentiles();
            Percentiles s = new Percentiles();
            Percentiles o = new Percentiles();
            for (int i = 0; i < count; i++) {
                Generations.Answer a = send(setup, setup.steps(), 1000 + first + i);
                c.add(a.clientMillis());
                s.add(a.serverMillis());
                o.add(a.onnxMillis());
                client.add(a.clientMillis());
                server.add(a.serverMillis());
                onnx.add(a.onnxMillis());
                outside.add(a.serverMillis() - a.onnxMillis());
                admit.add(a.admitMillis() + a.queueMillis());
                worker.add(a.runMillis() - a.onnxMillis());
                respond.add(a.respondMillis());
                wire.add(a.clientMillis() - a.serverMillis());
            }
            lastClient = c.median();
            lastServer = s.median();
            lastOnnx = o.median();
            ratios.add(lastClient / rawMedian);
        }
    }

    private static double median(List<Double> values) {
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return sorted.length % 2 == 1 ? sorted[sorted.length / 2]
                : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
    }

    private static Percentiles timed(Way way, int first, int count, Percentiles all, Percentiles outside)
            throws Exception {
        Percentiles round = new Percentiles();
        for (int i = 0; i < count; i++) {
            long t0 = System.nanoTime();
            double onnx = way.run(first + i);
            double ms = (System.nanoTime() - t0) / 1e6;
            round.add(ms);
            all.add(ms);
            if (!Double.isNaN(onnx)) {
                outside.add(ms - onnx);
            }
        }
        return round;
    }
}
