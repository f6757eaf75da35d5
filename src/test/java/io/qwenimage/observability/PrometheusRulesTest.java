package io.qwenimage.observability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code promtool} checks the Prometheus configuration and the alert rules, and runs their unit tests
 * ({@code deploy/prometheus/alerts-test.yml}). Needs Debian's {@code prometheus} package, which {@code .ci/run}
 * installs; there, a missing promtool fails the test ({@code QWEN_TEST_REQUIRE_PROMTOOL=1}) instead of skipping it.
 */
class PrometheusRulesTest {

    static String run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(String.join(" ", command) + ":\n" + out).isZero();
        return out;
    }

    static boolean promtoolInstalled() {
        return List.of(System.getenv().getOrDefault("PATH", "").split(":")).stream()
                .anyMatch(dir -> Files.isExecutable(Path.of(dir, "promtool")));
    }

    @Test
    void rulesAndConfigurationAreValidAndTheAlertsFireWhereTheyShould() throws Exception {
        boolean required = "1".equals(System.getenv("QWEN_TEST_REQUIRE_PROMTOOL"));
        if (required) {
            assertThat(promtoolInstalled()).as("promtool on PATH (Debian package prometheus)").isTrue();
        }
        assumeTrue(promtoolInstalled(), "promtool is not installed (apt-get install prometheus); .ci/run has it");
        assertThat(run("promtool", "check", "rules", "deploy/prometheus/alerts.yml")).contains("SUCCESS: 8 rules");
        assertThat(run("promtool", "check", "config", "deploy/prometheus/prometheus.yml")).contains("SUCCESS");
        assertThat(run("promtool", "test", "rules", "deploy/prometheus/alerts-test.yml")).contains("SUCCESS");
    }
}
