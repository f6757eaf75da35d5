package io.qwenimage.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The packaged jar, stopped with SIGTERM while generations are queued and running: readiness goes DOWN at once,
 * new generations get 503, every admitted one completes with 200, and the process exits 0; and when the drain
 * outlasts {@code quarkus.shutdown.timeout}, the generations left are answered 503 {@code SHUTTING_DOWN} with
 * Retry-After (which clients retry), not 499.
 */
class GracefulShutdownIT {

    static final String SLOW = "{\"prompt\": \"a red circle\", \"width\": 512, \"height\": 512, "
            + "\"num_inference_steps\": 50}";

    @Test
    void sigtermLetsAdmittedGenerationsFinishAndExitsZero() throws Exception {
        int port = ProductionConfigIT.freePort();
        File log = File.createTempFile("qwen-it", ".log");
        Process app = start(port, log, "-Dquarkus.http.port=" + port);
        try {
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
            String base = "http://localhost:" + port;
            awaitReady(http, base);
            List<CompletableFuture<HttpResponse<String>>> jobs = threeSlowJobsThenSigterm(http, base, app);
            Thread.sleep(300);
            assertThat(status(http, HttpRequest.newBuilder(URI.create(base + "/health")).build())).isEqualTo(503);
            HttpResponse<String> late = http.send(post(base, "{\"prompt\": \"x\"}"),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(late.statusCode()).isEqualTo(503);
            assertThat(late.body()).contains("SHUTTING_DOWN");
            for (CompletableFuture<HttpResponse<String>> job : jobs) {
                assertThat(job.get(60, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
            }
            assertThat(app.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(app.exitValue()).as("exit status; log in " + log).isZero();
        } finally {
            app.destroyForcibly();
        }
    }

    @Test
    void aDrainLongerThanTheShutdownTimeoutAnswersTheRestWith503ShuttingDownAndRetryAfter() throws Exception {
        int port = ProductionConfigIT.freePort();
        File log = File.createTempFile("qwen-it", ".log");
        Process app = start(port, log, "-Dquarkus.http.port=" + port, "-Dquarkus.shutdown.timeout=1s");
        try {
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
            String base = "http://localhost:" + port;
            awaitReady(http, base);
            // three 50-step jobs outlast the 1 s drain
            List<CompletableFuture<HttpResponse<String>>> jobs = threeSlowJobsThenSigterm(http, base, app);
            for (CompletableFuture<HttpResponse<String>> job : jobs) {
                HttpResponse<String> answer = job.get(60, TimeUnit.SECONDS);
                assertThat(answer.statusCode()).as(answer.body()).isEqualTo(503);
                assertThat(answer.body()).contains("SHUTTING_DOWN");
                assertThat(answer.headers().firstValue("Retry-After")).isPresent();
            }
            assertThat(app.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(app.exitValue()).as("exit status; log in " + log).isZero();
        } finally {
            app.destroyForcibly();
        }
    }

    /** Sends three slow generations, and SIGTERM once they are admitted. */
    static List<CompletableFuture<HttpResponse<String>>> threeSlowJobsThenSigterm(HttpClient http, String base,
                                                                                 Process app)
            throws InterruptedException {
        List<CompletableFuture<HttpResponse<String>>> jobs = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            jobs.add(http.sendAsync(post(base, SLOW), HttpResponse.BodyHandlers.ofString()));
        }
        Thread.sleep(500);
        app.destroy();
        return jobs;
    }

    static Process start(int port, File log, String... properties) throws java.io.IOException {
        List<String> command = new ArrayList<>(List.of(System.getProperty("java.home") + "/bin/java"));
        command.addAll(List.of(properties));
        command.addAll(List.of("-jar", "target/quarkus-app/quarkus-run.jar"));
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log).start();
    }

    static void awaitReady(HttpClient http, String base) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (status(http, HttpRequest.newBuilder(URI.create(base + "/health")).build()) != 200) {
            assertThat(System.nanoTime()).as("ready within a minute").isLessThan(until);
            Thread.sleep(200);
        }
    }

    static HttpRequest post(String base, String json) {
        return HttpRequest.newBuilder(URI.create(base + "/text-to-image")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build();
    }

    static int status(HttpClient http, HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (Exception e) {
            return -1;
        }
    }
}
