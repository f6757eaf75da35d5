package io.qwenimage.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The image, built as the CHECKLIST says from a base made of Debian packages, runs read-only as non-root, answers
 * /health and draws a PNG; then the same through docker-compose. Needs a Docker engine: {@code .ci/run} starts one
 * and sets {@code QWEN_TEST_DOCKER=1}; elsewhere the test is skipped.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ContainerSmokeIT {

    static final String TAG = "it";
    static final String KEY = "container-key-0123456789abcdef";
    static final Path ENV_FILE = Path.of("config/.env");
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    record Run(int exit, String output) {
    }

    static Run sh(String command) throws Exception {
        Process p = new ProcessBuilder("bash", "-c", command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(15, TimeUnit.MINUTES)).isTrue();
        return new Run(p.exitValue(), out);
    }

    static Run ok(String command) throws Exception {
        Run r = sh(command);
        assertThat(r.exit()).as(command + "\n" + r.output()).isZero();
        return r;
    }

    @BeforeAll
    static void image() throws Exception {
        assumeTrue("1".equals(System.getenv("QWEN_TEST_DOCKER")), "no Docker engine for tests (QWEN_TEST_DOCKER=1)");
        ok("scripts/build-base-image.sh qwen-jre-base:bookworm");
        ok("docker build -q --build-arg BASE_IMAGE=qwen-jre-base:bookworm --build-arg VERSION=" + TAG
                + " -f src/main/docker/Dockerfile.jvm -t qwen-image-api:" + TAG + " .");
    }

    @AfterAll
    static void cleanUp() throws Exception {
        if ("1".equals(System.getenv("QWEN_TEST_DOCKER"))) {
            sh("docker rm -f qwen-smoke; QWEN_TAG=" + TAG + " docker-compose down -v; docker rmi -f qwen-image-api:"
                    + TAG);
            Files.deleteIfExists(ENV_FILE);
        }
    }

    static int awaitHealth() throws Exception {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        int status = -1;
        while (System.nanoTime() < until && status != 200) {
            try {
                status = HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:8000/health")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode();
            } catch (java.io.IOException e) {
                status = -1;
            }
            Thread.sleep(500);
        }
        return status;
    }

    static byte[] png() throws Exception {
        HttpResponse<byte[]> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:8000/text-to-image"))
                .header("Content-Type", "application/json").header("Accept", "image/png").header("X-API-Key", KEY)
                .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\": \"a red circle on a blue background\", "
                        + "\"seed\": 1}")).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(r.statusCode()).isEqualTo(200);
        return r.body();
    }

    @Test
    @Order(1)
    void theImageRunsReadOnlyAsNonRootAndDrawsAPicture() throws Exception {
        ok("docker run -d --name qwen-smoke --network host --read-only --tmpfs /app/tmp:size=1g,mode=1777,exec "
                + "--cap-drop ALL --security-opt no-new-privileges:true -e QWEN_SECURITY_API_KEYS=" + KEY
                + " qwen-image-api:" + TAG);
        assertThat(awaitHealth()).as(sh("docker logs qwen-smoke").output()).isEqualTo(200);
        assertThat(Arrays.copyOf(png(), 4)).containsExactly(0x89, 'P', 'N', 'G');
        assertThat(ok("docker exec qwen-smoke id -u").output().trim()).isEqualTo("10001");
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        String health = "";
        while (System.nanoTime() < until && !health.equals("healthy")) {
            health = ok("docker inspect -f '{{.State.Health.Status}}' qwen-smoke").output().trim();
            Thread.sleep(1000);
        }
        assertThat(health).as("the image's HEALTHCHECK").isEqualTo("healthy");
        ok("docker stop -t 90 qwen-smoke");
        assertThat(ok("docker inspect -f '{{.State.ExitCode}}' qwen-smoke").output().trim())
                .as("drained and exited cleanly on SIGTERM").isEqualTo("0");
        ok("docker rm qwen-smoke");
    }

    @Test
    @Order(2)
    void theComposeFileStartsItUpWithThePortMappedAndTakesItDown() throws Exception {
        Files.writeString(ENV_FILE, "QWEN_SECURITY_API_KEYS=" + KEY + "\n");
        String compose = "QWEN_TAG=" + TAG + " docker-compose ";
        ok(compose + "up -d");
        assertThat(awaitHealth()).as(sh(compose + "logs").output()).isEqualTo(200);
        assertThat(ok(compose + "ps").output()).contains("qwen-image-api").contains("Up");
        assertThat(ok("docker port qwen-image-api").output()).contains("8000/tcp -> 0.0.0.0:8000");
        assertThat(Arrays.copyOf(png(), 4)).containsExactly(0x89, 'P', 'N', 'G');
        assertThat(ok("QWEN_URL=http://localhost:8000 scripts/manage.sh health").output()).contains("health (200)");
        ok(compose + "down");
        assertThat(ok("docker ps -a --format '{{.Names}}'").output()).doesNotContain("qwen-image-api");
    }
}
