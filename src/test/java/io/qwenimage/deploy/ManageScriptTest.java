package io.qwenimage.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.qwenimage.testing.ServiceReady;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** scripts/manage.sh: shellcheck-clean, health against the running service, and a backup that restores. */
@QuarkusTest
class ManageScriptTest {

    @ConfigProperty(name = "quarkus.http.test-port")
    int port;

    record Run(int exit, String output) {
    }

    static Run run(Map<String, String> env, String... command) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        return new Run(p.exitValue(), out);
    }

    static boolean onPath(String tool) {
        return List.of(System.getenv().getOrDefault("PATH", "").split(":")).stream()
                .anyMatch(dir -> Files.isExecutable(Path.of(dir, tool)));
    }

    @Test
    void shellcheckFindsNothing() throws Exception {
        if ("1".equals(System.getenv("QWEN_TEST_REQUIRE_SHELLCHECK"))) {
            assertThat(onPath("shellcheck")).as("shellcheck on PATH").isTrue();
        }
        assumeTrue(onPath("shellcheck"), "shellcheck is not installed; .ci/run has it");
        Run r = run(Map.of(), "bash", "-c", "shellcheck scripts/*.sh .ci/run");
        assertThat(r.exit()).as(r.output()).isZero();
    }

    @Test
    void healthPrintsHealthAndInfoAndFailsWhenDown() throws Exception {
        ServiceReady.await();
        Run up = run(Map.of("QWEN_URL", "http://localhost:" + port), "scripts/manage.sh", "health");
        assertThat(up.exit()).as(up.output()).isZero();
        assertThat(up.output()).contains("health (200)").contains("\"model_loaded\":true")
                .contains("info: {").contains("\"service_name\"");
        Run down = run(Map.of("QWEN_URL", "http://localhost:1"), "scripts/manage.sh", "health");
        assertThat(down.exit()).isNotZero();
        assertThat(run(Map.of(), "scripts/manage.sh", "--help").output()).contains("rollback").contains("--k8s");
        assertThat(run(Map.of(), "scripts/manage.sh", "no-such-command").exit()).isEqualTo(2);
    }

    @Test
    void aBackupRestoresConfigKeysAndTlsAndChecksTheModelFolder(@TempDir Path home) throws Exception {
        Path config = Files.createDirectories(home.resolve("config"));
        Files.writeString(config.resolve("config.yaml"), "qwen: {}\n");
        Files.writeString(config.resolve("api-keys"), "clients=0123456789abcdef0123\n");
        Files.writeString(config.resolve(".env"), "QWEN_QUEUE_CAPACITY=4\n");
        Path tls = Files.createDirectories(home.resolve("deploy/nginx/tls"));
        Files.writeString(tls.resolve("tls.key"), "KEY");
        Path models = Files.createDirectories(home.resolve("models/demo/unet"));
        Files.writeString(models.resolve("model.onnx"), "weights");
        Map<String, String> env = Map.of("QWEN_HOME", home.toString());

        Run backup = run(env, "scripts/manage.sh", "backup");
        assertThat(backup.exit()).as(backup.output()).isZero();
        Path archive = Path.of(backup.output().trim());
        assertThat(archive).exists().startsWith(home.resolve("backups"));

        Files.writeString(config.resolve("api-keys"), "lost\n");
        Files.delete(config.resolve(".env"));
        Files.delete(tls.resolve("tls.key"));
        Run restore = run(env, "scripts/manage.sh", "restore", archive.toString());
        assertThat(restore.exit()).as(restore.output()).isZero();
        assertThat(restore.output()).contains("model folder matches");
        assertThat(config.resolve("api-keys")).hasContent("clients=0123456789abcdef0123");
        assertThat(config.resolve(".env")).hasContent("QWEN_QUEUE_CAPACITY=4");
        assertThat(tls.resolve("tls.key")).hasContent("KEY");

        Files.writeString(models.resolve("model.onnx"), "other weights");
        Run tampered = run(env, "scripts/manage.sh", "restore", archive.toString());
        assertThat(tampered.exit()).isNotZero();
        assertThat(tampered.output()).contains("differs from the backup's manifest");
    }
}
