package io.qwenimage.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.qwenimage.testing.TestImages;
import java.io.File;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The real {@code openai} npm package (pinned in src/test/js/openai-sdk; {@code .ci/run} installs it with
 * {@code npm ci}) against the jar: images.generate with b64_json and url, images.edit, images.edit with a mask,
 * a streamed images.generate with partial images, a 429 retried by the SDK itself, and a wrong key raised as its
 * AuthenticationError.
 */
class OpenAiSdkIT {

    static final Path SDK = Path.of("src/test/js/openai-sdk");
    static final String KEY = "sdk-key-0123456789abcdef";

    @Test
    void theOpenAiSdkGeneratesEditsAndRetriesARateLimit() throws Exception {
        boolean installed = Files.isDirectory(SDK.resolve("node_modules/openai"));
        if ("1".equals(System.getenv("QWEN_TEST_REQUIRE_NODE"))) {
            assertThat(installed).as("npm ci in " + SDK).isTrue();
        }
        assumeTrue(installed, "the openai npm package is not installed (cd " + SDK + " && npm ci); .ci/run has it");
        int port = ProductionConfigIT.freePort();
        File log = File.createTempFile("qwen-sdk", ".log");
        Process app = new ProcessBuilder(System.getProperty("java.home") + "/bin/java", "-Dquarkus.http.port=" + port,
                "-Dqwen.security.api-keys=" + KEY, "-Dqwen.security.rate-limit.burst=2",
                "-Dqwen.security.rate-limit.requests-per-minute=20", "-jar", "target/quarkus-app/quarkus-run.jar")
                .redirectErrorStream(true).redirectOutput(log).start();
        try {
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
            String base = "http://localhost:" + port;
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (ProductionConfigIT.status(http, base, "/health", null) != 200) {
                assertThat(System.nanoTime()).as("ready within a minute").isLessThan(until);
                Thread.sleep(200);
            }
            Path png = Files.createTempFile("qwen-sdk", ".png");
            Files.write(png, TestImages.redCircleOnBluePng(64, 64));
            Path mask = Files.createTempFile("qwen-sdk-mask", ".png");
            Files.write(mask, TestImages.circleMaskPng(true));
            Process node = new ProcessBuilder("node", "check.mjs", base, KEY, png.toString(), mask.toString())
                    .directory(SDK.toFile()).redirectErrorStream(true).start();
            String out = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(node.waitFor(120, TimeUnit.SECONDS)).isTrue();
            System.out.println(out);
            assertThat(node.exitValue()).as(out).isZero();
            assertThat(out).contains("edit: PNG").contains("generate b64_json: 2 PNGs").contains("generate url: PNG")
                    .contains("edit with mask: PNG")
                    .contains("stream: partial 0, partial 1, image_generation.completed")
                    .contains("wrong key: AuthenticationError 401").endsWith("OK\n");
            // the url generation met the spent rate limit first: a 429 the SDK waited out and retried
            String metrics = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + "/metrics"))
                    .build(), java.net.http.HttpResponse.BodyHandlers.ofString()).body();
            String keyId = io.qwenimage.security.ApiKeys.idOf(KEY);
            assertThat(metrics).contains("qwen_client_requests_total{key=\"" + keyId + "\",outcome=\"rate_limited\",}")
                    .contains("qwen_jobs_total{endpoint=\"/v1/images/edits\",model=\"demo\",outcome=\"success\",} 2.0")
                    .contains("qwen_jobs_total{endpoint=\"/v1/images/generations\",model=\"none\",outcome=\"rate_limited\",}")
                    .contains("qwen_jobs_total{endpoint=\"/v1/images/generations\",model=\"demo\",outcome=\"success\",} 3.0");
        } finally {
            app.destroy();
            app.waitFor(30, TimeUnit.SECONDS);
            app.destroyForcibly();
        }
    }
}
