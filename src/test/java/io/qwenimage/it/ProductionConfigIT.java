package io.qwenimage.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The packaged jar under config/config.prod.yaml (as the container images run it): no key, no start; keys from a
 * mounted file, rotated while it runs with two keys valid at once.
 */
class ProductionConfigIT {

    static final String OLD_KEY = "old-key-0123456789abcdef";
    static final String NEW_KEY = "new-key-fedcba9876543210";

    @Test
    void withoutKeysTheServiceRefusesToStart() throws Exception {
        File log = File.createTempFile("qwen-prod", ".log");
        Process app = start(freePort(), Map.of(), log);
        try {
            assertThat(app.waitFor(60, TimeUnit.SECONDS)).as("exits").isTrue();
            assertThat(app.exitValue()).isNotZero();
            assertThat(Files.readString(log.toPath())).contains("qwen.security.require-api-keys is true but no API "
                    + "key is configured");
        } finally {
            app.destroyForcibly();
        }
    }

    @Test
    void keysFromAMountedFileRotateWithoutARestart() throws Exception {
        Path keys = Files.createTempFile("qwen-keys", ".txt");
        Files.writeString(keys, "# the key clients use today\nclients=" + OLD_KEY + "\n");
        int port = freePort();
        File log = File.createTempFile("qwen-prod", ".log");
        Process app = start(port, Map.of("QWEN_SECURITY_API_KEYS_FILE", keys.toString()), log);
        try {
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
            String base = "http://localhost:" + port;
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (status(http, base, "/health", null) != 200) {
                assertThat(app.isAlive()).as("running; log in " + log).isTrue();
                assertThat(System.nanoTime()).as("ready within a minute").isLessThan(until);
                Thread.sleep(200);
            }
            assertThat(status(http, base, "/text-to-image", null)).isEqualTo(401);
            assertThat(status(http, base, "/text-to-image", OLD_KEY)).isEqualTo(200);
            assertThat(status(http, base, "/text-to-image", NEW_KEY)).isEqualTo(401);

            // step 1 of a rotation: both keys valid
            Files.writeString(keys, "clients=" + OLD_KEY + "\nclients-2=" + NEW_KEY + "\n");
            awaitStatus(http, base, NEW_KEY, 200);
            assertThat(status(http, base, "/text-to-image", OLD_KEY)).isEqualTo(200);
            // step 2, once every client has the new key: the old one goes
            Files.writeString(keys, "clients-2=" + NEW_KEY + "\n");
            awaitStatus(http, base, OLD_KEY, 401);
            assertThat(status(http, base, "/text-to-image", NEW_KEY)).isEqualTo(200);

            String output = Files.readString(log.toPath());
            assertThat(output).contains("API key file changed").doesNotContain(OLD_KEY).doesNotContain(NEW_KEY);
        } finally {
            app.destroy();
            app.waitFor(30, TimeUnit.SECONDS);
            app.destroyForcibly();
        }
    }

    static Process start(int port, Map<String, String> env, File log) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(System.getProperty("java.home") + "/bin/java",
                "-Dquarkus.http.port=" + port, "-jar", "target/quarkus-app/quarkus-run.jar")
                .redirectErrorStream(true).redirectOutput(log);
        pb.environment().remove("QWEN_SECURITY_API_KEYS");
        pb.environment().put("QUARKUS_CONFIG_LOCATIONS", "config/config.yaml,config/config.prod.yaml");
        pb.environment().putAll(env);
        return pb.start();
    }

    static void awaitStatus(HttpClient http, String base, String key, int expected) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (status(http, base, "/text-to-image", key) != expected) {
            assertThat(System.nanoTime()).as("the key file change is picked up").isLessThan(until);
            Thread.sleep(500);
        }
    }

    static int status(HttpClient http, String base, String path, String key) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path));
        if (path.equals("/text-to-image")) {
            b.header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
                    "{\"prompt\": \"a red circle\", \"num_inference_steps\": 2}"));
        }
        if (key != null) {
            b.header("Authorization", "Bearer " + key);
        }
        try {
            return http.send(b.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (Exception e) {
            return -1;
        }
    }

    private static final java.util.Set<Integer> HANDED_OUT = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /**
     * A port nothing listens on, never the same one twice in this JVM: the kernel may offer a just-closed port
     * again, and two processes of one test (an instance and its load balancer) would then collide.
     */
    static int freePort() throws Exception {
        while (true) {
            try (ServerSocket s = new ServerSocket(0)) {
                if (HANDED_OUT.add(s.getLocalPort())) {
                    return s.getLocalPort();
                }
            }
        }
    }
}
