package io.qwenimage.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Under saturation (the worker busy, the queue full), how fast the service says no and how fast it answers its
 * readiness probe: filler clients keep 1 worker + capacity 4 occupied with slow 512x512 requests, while one
 * client sends generation requests (answered 503) and another polls {@code /q/health/ready}, each for
 * {@code -Dseconds}. The probes are sent with {@code hey} (Debian package hey) when it is installed: a Go client
 * adds far less of its own time than the JDK's HttpClient, whose numbers are reported beside.
 */
public final class Saturation {

    private Saturation() {
    }

    public static void main(String[] args) throws Exception {
        int seconds = Integer.getInteger("seconds", 30);
        Report report = new Report("saturation");
        report.format("1 worker, capacity 4, 6 filler clients looping 512x512 30-step requests; probes for %d s once "
                + "the queue is full.", seconds);
        report.line("");
        try (ServiceProcess service = ServiceProcess.start(Report.jar(), 8193,
                List.of("-Dqwen.queue.capacity=4", "-Dqwen.queue.workers=1"), Path.of("target/bench-saturation.log"))) {
            service.awaitReady(Duration.ofMinutes(5));
            AtomicBoolean stop = new AtomicBoolean();
            List<Thread> fillers = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                int id = i;
                Thread t = new Thread(() -> {
                    Generations g = new Generations(service.baseUrl());
                    long seed = id * 1000L;
                    while (!stop.get()) {
                        try {
                            var a = g.textToImage("a red circle", 512, 30, "euler", seed++, 1);
                            if (a.status() == 503) {
                                Thread.sleep(50);
                            }
                        } catch (Exception e) {
                            return;
                        }
                    }
                });
                fillers.add(t);
                t.start();
            }
            Thread.sleep(3000);
            Percentiles refused = new Percentiles();
            Percentiles ready = new Percentiles();
            int[] otherStatuses = new int[1];
            Thread generations = new Thread(() -> probe(service.baseUrl(), seconds, refused, otherStatuses, true));
            Thread probes = new Thread(() -> probe(service.baseUrl(), seconds, ready, new int[1], false));
            generations.start();
            probes.start();
            generations.join();
            probes.join();
            String heyRefused = null;
            String heyReady = null;
            if (heyInstalled()) {
                Thread.sleep(1000);
                Process post = hey(service.baseUrl() + "/text-to-image", seconds, true);
                Process get = hey(service.baseUrl() + "/q/health/ready", seconds, false);
                heyRefused = new String(post.getInputStream().readAllBytes());
                heyReady = new String(get.getInputStream().readAllBytes());
                post.waitFor();
                get.waitFor();
            }
            stop.set(true);
            report.line("| probe | client | answers | p50 ms | p95 ms | p99 ms | max ms |");
            report.line("|---|---|---|---|---|---|---|");
            report.format("| POST /text-to-image → 503 | JDK HttpClient | %d | %.2f | %.2f | %.2f | %.2f |",
                    refused.count(), refused.at(50), refused.at(95), refused.at(99), refused.at(100));
            report.format("| GET /q/health/ready | JDK HttpClient | %d | %.2f | %.2f | %.2f | %.2f |", ready.count(),
                    ready.at(50), ready.at(95), ready.at(99), ready.at(100));
            if (heyRefused != null) {
                report.line(heyRow("POST /text-to-image → 503", heyRefused, 503));
                report.line(heyRow("GET /q/health/ready", heyReady, 200));
            }
            report.line("");
            report.format("Generation requests answered other than 503 while saturated (admitted when a place freed "
                    + "up): %d.", otherStatuses[0]);
            for (Thread t : fillers) {
                t.interrupt();
            }
        }
        report.save();
    }

    static boolean heyInstalled() {
        return java.util.Arrays.stream(System.getenv().getOrDefault("PATH", "").split(":"))
                .anyMatch(d -> java.nio.file.Files.isExecutable(Path.of(d, "hey")));
    }

    /** One client at 40 requests/s for {@code seconds}. */
    static Process hey(String url, int seconds, boolean generate) throws java.io.IOException {
        // -o csv: one line per request, so that the percentiles can be taken over the answers wanted
        List<String> cmd = new ArrayList<>(List.of("hey", "-z", seconds + "s", "-c", "1", "-q", "40", "-o", "csv"));
        if (generate) {
            cmd.addAll(List.of("-m", "POST", "-T", "application/json", "-d",
                    "{\"prompt\": \"a blue square\", \"width\": 64, \"height\": 64, \"num_inference_steps\": 4}"));
        }
        cmd.add(url);
        return new ProcessBuilder(cmd).redirectErrorStream(true).start();
    }

    /**
     * A table row from hey's per-request CSV (response-time in seconds first, status code seventh): percentiles
     * over the answers with {@code status} only (a generation probe that was admitted while a place was free
     * waits for its picture, which is not what is measured).
     */
    static String heyRow(String probe, String csv, int status) {
        Percentiles millis = new Percentiles();
        int others = 0;
        for (String line : csv.split("\n")) {
            String[] f = line.split(",");
            if (f.length < 7 || !f[0].matches("[0-9.]+")) {
                continue;
            }
            if (Integer.parseInt(f[6].trim()) == status) {
                millis.add(Double.parseDouble(f[0]) * 1000);
            } else {
                others++;
            }
        }
        return String.format(java.util.Locale.ROOT, "| %s | hey | %d (+%d other) | %.2f | %.2f | %.2f | %.2f |", probe,
                millis.count(), others, millis.at(50), millis.at(95), millis.at(99), millis.at(100));
    }

    private static void probe(String baseUrl, int seconds, Percentiles into, int[] others, boolean generate) {
        Generations client = new Generations(baseUrl);
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        long n = 0;
        while (System.nanoTime() < end) {
            try {
                Generations.Answer a = generate ? client.textToImage("a blue square", 64, 4, "euler", n++, 1)
                        : client.get("/q/health/ready");
                if (generate && a.status() != 503) {
                    others[0]++;
                } else {
                    into.add(a.clientMillis());
                }
                Thread.sleep(20);
            } catch (Exception e) {
                others[0]++;
            }
        }
    }
}
