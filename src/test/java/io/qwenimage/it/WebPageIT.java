package io.qwenimage.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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
        Path shots = Files.createDirectories(Path.of("target"));
        String out = runPage("e2e.mjs", List.of("-Dqwen.security.api-keys=" + KEY), shots.toAbsolutePath().toString(),
                KEY);
        assertThat(out).contains("generated: 64x64").contains("preview shown: 256x256")
                .contains("cancelled a running generation")
                .contains("error shown:").endsWith("OK\n");
        assertThat(shots.resolve("web-desktop.png")).isNotEmptyFile();
        assertThat(shots.resolve("web-phone.png")).isNotEmptyFile();
    }

    @Test
    void onAQwenImageModelThePageShowsTheFamilysControls() throws Exception {
        Path shots = Files.createDirectories(Path.of("target"));
        String out = runPage("e2e-qwen.mjs", List.of("-Dqwen.model.path=models/demo-qwen"),
                shots.toAbsolutePath().toString());
        assertThat(out).contains("controls: \"True CFG scale\" 4, width step 16")
                .contains("generated: 64x64 with true_cfg_scale").contains("error shown:").endsWith("OK\n");
        assertThat(shots.resolve("web-qwen.png")).isNotEmptyFile();
    }

    @Test
    void onAServiceWithTwoModelsThePageChoosesTheModelAndItsControls() throws Exception {
        Path shots = Files.createDirectories(Path.of("target"));
        String out = runPage("e2e-models.mjs", List.of("-Dqwen.models.entries.demo.path=bundled",
                        "-Dqwen.models.entries.demo.load-at-start=true", "-Dqwen.models.entries.qwen.path=models/demo-qwen",
                        "-Dqwen.models.entries.qwen.load-at-start=true", "-Dqwen.models.max-loaded=2",
                        "-Dqwen.models.default=demo"), shots.toAbsolutePath().toString());
        assertThat(out).contains("models: demo (custom").contains("generated on qwen: qwen")
                .contains("back on demo: \"Guidance\"").endsWith("OK\n");
        assertThat(shots.resolve("web-models.png")).isNotEmptyFile();
    }

    @Test
    void onSd3AndFluxThePageShowsEachFamilysGuidanceAndSteps() throws Exception {
        Path shots = Files.createDirectories(Path.of("target"));
        String out = runPage("e2e-flow.mjs", List.of("-Dqwen.models.entries.demo.path=bundled",
                        "-Dqwen.models.entries.demo.load-at-start=true",
                        "-Dqwen.models.entries.flux.path=src/test/resources/models/tiny-flux-schnell",
                        "-Dqwen.models.entries.flux.load-at-start=true",
                        "-Dqwen.models.entries.sd3.path=src/test/resources/models/tiny-sd3",
                        "-Dqwen.models.entries.sd3.load-at-start=true", "-Dqwen.models.max-loaded=3", "-Dqwen.models.default=demo"),
                shots.toAbsolutePath().toString());
        assertThat(out).contains("schnell controls: guidance disabled, steps 4").contains("generated on flux: ")
                .contains("sd3 controls: guidance 7, steps 28").contains("generated on sd3: ").endsWith("OK\n");
        assertThat(shots.resolve("web-flow.png")).isNotEmptyFile();
    }

    /**
     * Starts the jar with {@code properties}, waits until it is ready, runs {@code script} with the base URL and
     * {@code args}, and returns its output once it exited 0.
     */
    private static String runPage(String script, List<String> properties, String... args) throws Exception {
        boolean ready = Files.isDirectory(E2E.resolve("node_modules/playwright-core"))
                && Files.isExecutable(Path.of("/usr/bin/chromium"));
        if ("1".equals(System.getenv("QWEN_TEST_REQUIRE_BROWSER"))) {
            assertThat(ready).as("chromium and playwright-core installed").isTrue();
        }
        assumeTrue(ready, "chromium or playwright-core is not installed; .ci/run has them");
        int port = ProductionConfigIT.freePort();
        File log = File.createTempFile("qwen-web", ".log");
        List<String> command = new ArrayList<>(List.of(System.getProperty("java.home") + "/bin/java",
                "-Dquarkus.http.port=" + port, "-Dqwen.security.rate-limit.enabled=false"));
        command.addAll(properties);
        command.addAll(List.of("-jar", "target/quarkus-app/quarkus-run.jar"));
        Process app = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log).start();
        try {
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
            String base = "http://localhost:" + port;
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (ProductionConfigIT.status(http, base, "/health", null) != 200) {
                assertThat(System.nanoTime()).as("ready within a minute").isLessThan(until);
                Thread.sleep(200);
            }
            List<String> node = new ArrayList<>(List.of("node", script, base));
            node.addAll(List.of(args));
            Process run = new ProcessBuilder(node).directory(E2E.toFile()).redirectErrorStream(true).start();
            String out = new String(run.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(run.waitFor(180, TimeUnit.SECONDS)).isTrue();
            System.out.println(out);
            assertThat(run.exitValue()).as(out).isZero();
            return out;
        } finally {
            app.destroy();
            app.waitFor(30, TimeUnit.SECONDS);
            app.destroyForcibly();
        }
    }
}
