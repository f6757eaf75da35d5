package io.qwenimage.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Dynamic batching measured both ways, side by side: for {@code qwen.queue.max-batch} 1 (off) and
 * {@code -Dbatch} (on), the jar is started and driven by 1 and then 8 closed-loop clients (each sends its next
 * request when it has its answer) for {@code -Dseconds} each; throughput, latency percentiles and errors.
 *
 * <p>{@code -Dsize=64 -Dsteps=20 -Dseconds=60 -Dbatch=8 -Dclients=1,8}
 */
public final class BatchingComparison {

    private BatchingComparison() {
    }

    record Result(double perSecond, Percentiles latency, int errors, int overloaded) {
    }

    public static void main(String[] args) throws Exception {
        int size = Integer.getInteger("size", 64);
        int steps = Integer.getInteger("steps", 20);
        int seconds = Integer.getInteger("seconds", 60);
        int batch = Integer.getInteger("batch", 8);
        String delay = System.getProperty("delay", "10ms");
        Report report = new Report("batching-" + size);
        report.format("%dx%d, %d steps, dpmpp_2m_karras, guidance 7.5; closed-loop clients for %d s per row after a "
                + "10 s warm-up; capacity 16, 1 worker, default threads; max-batch-delay %s.", size, size, steps,
                seconds, delay);
        report.line("");
        report.line("| max-batch | clients | requests/s | p50 ms | p95 ms | p99 ms | errors | 503 |");
        report.line("|---|---|---|---|---|---|---|---|");
        for (int maxBatch : new int[] {1, batch}) {
            try (ServiceProcess service = ServiceProcess.start(Report.jar(), 8191,
                    List.of("-Dqwen.queue.max-batch=" + maxBatch, "-Dqwen.queue.max-batch-delay=" + delay,
                            "-Dqwen.queue.capacity=16"),
                    Path.of("target/bench-batching-" + maxBatch + ".log"))) {
                service.awaitReady(Duration.ofMinutes(5));
                for (String c : System.getProperty("clients", "1,8").split(",")) {
                    int clients = Integer.parseInt(c.trim());
                    drive(service.baseUrl(), clients, size, steps, 10);
                    Result r = drive(service.baseUrl(), clients, size, steps, seconds);
                    report.format("| %d | %d | %.2f | %.0f | %.0f | %.0f | %d | %d |", maxBatch, clients, r.perSecond(),
                            r.latency().at(50), r.latency().at(95), r.latency().at(99), r.errors(), r.overloaded());
                }
            }
        }
        report.save();
    }

    static Result drive(String baseUrl, int clients, int size, int steps, int seconds) throws InterruptedException {
        Generations client = new Generations(baseUrl);
        Percentiles latency = new Percentiles();
        AtomicInteger errors = new AtomicInteger();
        AtomicInteger overloaded = new AtomicInteger();
        AtomicInteger done = new AtomicInteger();
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        List<Thread> threads = new ArrayList<>();
        String[] prompts = {"a red circle on a blue background", "a green square on a white background",
                "a yellow triangle on a black background", "an orange circle on a purple background"};
        long t0 = System.nanoTime();
        for (int i = 0; i < clients; i++) {
            int id = i;
            Thread t = new Thread(() -> {
                long seed = id * 1_000_000L;
                while (System.nanoTime() < end) {
                    try {
                        Generations.Answer a = client.textToImage(prompts[(int) (seed % 4)], size, steps,
                                "dpmpp_2m_karras", seed++, 1);
                        if (a.status() == 200) {
                            latency.add(a.clientMillis());
                            done.incrementAndGet();
                        } else if (a.status() == 503) {
                            overloaded.incrementAndGet();
                        } else {
                            errors.incrementAndGet();
                        }
                    } catch (Exception e) {
                        errors.incrementAndGet();
                    }
                }
            });
            threads.add(t);
            t.start();
        }
        for (Thread t : threads) {
            t.join();
        }
        double elapsed = (System.nanoTime() - t0) / 1e9;
        return new Result(done.get() / elapsed, latency, errors.get(), overloaded.get());
    }
}
