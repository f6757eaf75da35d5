package io.qwenimage.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The jar under config/config.prod.yaml writes one JSON object per line, to the console and to the rotated file;
 * the audit line carries the generation's fields and not the prompt.
 */
class ProductionLogIT {

    static final String KEY = "log-key-0123456789abcdef";
    static final String PROMPT = "a red circle for my secret project";

    @Test
    void everyLineIsOneJsonObjectAndTheAuditLineHasItsFieldsButNoPrompt() throws Exception {
        int port = ProductionConfigIT.freePort();
        File console = File.createTempFile("qwen-console", ".log");
        Path file = Files.createTempDirectory("qwen-logs").resolve("qwen-image-api.log");
        ProcessBuilder pb = new ProcessBuilder(System.getProperty("java.home") + "/bin/java",
                "-Dquarkus.http.port=" + port, "-jar", "target/quarkus-app/quarkus-run.jar")
                .redirectOutput(console).redirectError(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("QUARKUS_CONFIG_LOCATIONS", "config/config.yaml,config/config.prod.yaml");
        pb.environment().put("QWEN_SECURITY_API_KEYS", KEY);
        pb.environment().put("QUARKUS_LOG_FILE_PATH", file.toString());
        Process app = pb.start();
        try {
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
            String base = "http://localhost:" + port;
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (ProductionConfigIT.status(http, base, "/health", null) != 200) {
                assertThat(System.nanoTime()).as("ready within a minute").isLessThan(until);
                Thread.sleep(200);
            }
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/text-to-image"))
                    .header("Content-Type", "application/json").header("X-API-Key", KEY)
                    .header("X-Request-ID", "prod-log-check-1")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\": \"" + PROMPT + "\", \"seed\": 11, "
                            + "\"num_inference_steps\": 3, \"scheduler\": \"ddim\"}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            Thread.sleep(500);

            ObjectMapper json = new ObjectMapper();
            List<JsonNode> lines = new ArrayList<>();
            for (String line : Files.readAllLines(console.toPath())) {
                if (!line.isBlank()) {
                    lines.add(json.readTree(line)); // throws if a line is not one JSON object
                }
            }
            assertThat(lines).allMatch(JsonNode::isObject);
            JsonNode audit = lines.stream().filter(l -> l.path("loggerName").asText().equals("io.qwenimage.audit"))
                    .findFirst().orElseThrow().path("mdc");
            assertThat(audit.path("request_id").asText()).isEqualTo("prod-log-check-1");
            assertThat(audit.path("key_id").asText()).startsWith("key-");
            assertThat(audit.path("client_ip").asText()).isNotBlank();
            assertThat(audit.path("endpoint").asText()).isEqualTo("/text-to-image");
            assertThat(audit.path("width").asText()).isEqualTo("64");
            assertThat(audit.path("steps").asText()).isEqualTo("3");
            assertThat(audit.path("scheduler").asText()).isEqualTo("ddim");
            assertThat(audit.path("seed").asText()).isEqualTo("11");
            assertThat(audit.path("prompt_chars").asText()).isEqualTo(String.valueOf(PROMPT.length()));
            assertThat(audit.path("prompt_sha256").asText()).hasSize(64);
            assertThat(audit.path("outcome").asText()).isEqualTo("success");
            assertThat(audit.has("queue_ms") && audit.has("run_ms")).isTrue();
            assertThat(audit.has("prompt")).isFalse();
            assertThat(lines.stream().filter(l -> l.path("loggerName").asText().equals("io.qwenimage.access")))
                    .anyMatch(l -> l.path("mdc").path("request_id").asText().equals("prod-log-check-1"));
            String everything = Files.readString(console.toPath()) + Files.readString(file);
            assertThat(everything).doesNotContain(PROMPT).doesNotContain(KEY);
            for (String line : Files.readAllLines(file)) {
                assertThat(json.readTree(line).isObject()).isTrue();
            }
        } finally {
            app.destroy();
            app.waitFor(30, TimeUnit.SECONDS);
            app.destroyForcibly();
        }
    }
}
