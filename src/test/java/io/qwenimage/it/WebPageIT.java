package io.qwenimage.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The web page in a real browser (Debian's chromium, driven by npm playwright-core; {@code .ci/run} installs both):
 * a generation from the keyboard with its picture decoded at the requested size, a running generation cancelled,
 * an error shown in words, no CSP violation, and screenshots at desktop and phone widths in {@code target/}.
 * With API keys on, the key goes in through the page's field.
 */
class WebPageIT {

    static final Path E2E = Path.of("src/test/js/web-e2e");
    static final String KEY = "web-key-0123456789abcdef";

    @Test
    void thePageGeneratesCancelsAndFitsAPhone() throws Exception {
        boolean ready = Files.isDirectory(E2E.resolve("node_modules/playwright-core"))
                && Files.isExecutable(Path.of("/usr/bin/chromium"));
        if ("1".equals(System.getenv("QWEN_TEST_REQUIRE_BROWSER"))) {
            assertThat(ready).as("chromium and playwright-core installed").isTrue();
        }
        assumeTrue(ready, "chromium or playwright-core is not installed; .ci/run has them");
        int port = ProductionConfigIT.freePort();
        File log = File.createTempFile("qwen-web", ".log");
        Process app = new ProcessBuilder(System.getProperty("java.home") + "/bin/java", "-Dquarkus.http.port=" + port,
                "-Dqwen.security.api-keys=" + KEY, "-Dqwen.security.rate-limit.enabled=false", "-jar",
                "target/quarkus-app/quarkus-run.jar").redirectErrorStream(true).redirectOutput(log).start();
        try {
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
            String base = "http://localhost:" + port;
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (ProductionConfigIT.status(http, base, "/health", null) != 200) {
                assertThat(System.nanoTime()).as("ready within a minute").isLessThan(until);
                Thread.sleep(200);
            }
            Path shots = Files.createDirectories(Path.of("target"));
            Process node = new ProcessBuilder("node", "e2e.mjs", base, shots.toAbsolutePath().toString(), KEY)
                    .directory(E2E.toFile()).redirectErrorStream(true).start();
            String out = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(node.waitFor(180, TimeUnit.SECONDS)).isTrue();
            System.out.println(out);
            assertThat(node.exitValue()).as(out).isZero();
            assertThat(out).contains("generated: 64x64").contains("cancelled a running generation")
                    .contains("error shown:").endsWith("OK\n");
            assertThat(shots.resolve("web-desktop.png")).isNotEmptyFile();
            assertThat(shots.resolve("web-phone.png")).isNotEmptyFile();
        } finally {
            app.destroy();
            app.waitFor(30, TimeUnit.SECONDS);
            app.destroyForcibly();
        }
    }

    @Test
    void onAQwenImageModelThePageShowsTheFamilysControls() throws Exception {
        boolean ready = Files.isDirectory(E2E.resolve("node_modules/playwright-core"))
                && Files.isExecutable(Path.of("/usr/bin/chromium"));
        assumeTrue(ready, "chromium or playwright-core is not installed; .ci/run has them");
        int port = ProductionConfigIT.freePort();
        File log = File.createTempFile("qwen-web-qwen", ".log");
        Process app = new ProcessBuilder(System.getProperty("java.home") + "/bin/java", "-Dquarkus.http.port=" + port,
                "-Dqwen.model.path=models/demo-qwen", "-Dqwen.security.rate-limit.enabled=false", "-jar",
                "target/quarkus-app/quarkus-run.jar").redirectErrorStream(true).redirectOutput(log).start();
        try {
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
            String base = "http://localhost:" + port;
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (ProductionConfigIT.status(http, base, "/health", null) != 200) {
                assertThat(System.nanoTime()).as("ready within a minute").isLessThan(until);
                Thread.sleep(200);
            }
            Path shots = Files.createDirectories(Path.of("target"));
            Process node = new ProcessBuilder("node", "e2e-qwen.mjs", base, shots.toAbsolutePath().toString())
                    .directory(E2E.toFile()).redirectErrorStream(true).start();
            String out = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(node.waitFor(180, TimeUnit.SECONDS)).isTrue();
            System.out.println(out);
            assertThat(node.exitValue()).as(out).isZero();
            assertThat(out).contains("controls: \"True CFG scale\" 4, width step 16")
                    .contains("generated: 64x64 with true_cfg_scale").contains("error shown:").endsWith("OK\n");
        } finally {
            app.destroy();
            app.waitFor(30, TimeUnit.SECONDS);
            app.destroyForcibly();
        }
    }
}
