package io.qwenimage.observability;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.qwenimage.security.ApiKeys;
import io.qwenimage.testing.ServiceReady;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A known sequence of requests moves each counter by exactly its share: 2 successes, 1 invalid, 1 refused
 * because the queue is full, 1 past its deadline.
 */
@QuarkusTest
@TestProfile(GenerationMetricsTest.NoRoomTwoSeconds.class)
class GenerationMetricsTest {

    static final String KEY = "metrics-key-0123456789ab";

    /** One worker, no waiting room, a 2-second deadline, one key. */
    public static class NoRoomTwoSeconds implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("qwen.queue.workers", "1", "qwen.queue.capacity", "0", "qwen.server.request-timeout", "2",
                    "qwen.security.api-keys", KEY);
        }
    }

    static final String SMALL = "{\"prompt\": \"a red circle\", \"num_inference_steps\": 3, \"scheduler\": \"euler\"}";
    static final String SLOW = "{\"prompt\": \"a red circle\", \"width\": 512, \"height\": 512, "
            + "\"num_inference_steps\": 100, \"scheduler\": \"euler\"}";
    static final String JOBS = "qwen_jobs_total{endpoint=\"/text-to-image\",model=\"demo\",outcome=\"%s\"}";

    @BeforeEach
    void waitUntilReady() throws InterruptedException {
        ServiceReady.await();
    }

    static Response post(String body) {
        return given().header("X-API-Key", KEY).contentType(ContentType.JSON).body(body).post("/text-to-image");
    }

    @Test
    void eachOutcomeMovesItsCounterByExactlyItsShare() throws Exception {
        Map<String, Double> before = Scrape.get("/q/metrics");

        post(SMALL).then().statusCode(200);
        post(SMALL).then().statusCode(200);
        post("{\"prompt\": \"\"}").then().statusCode(422);
        CompletableFuture<Response> slow = CompletableFuture.supplyAsync(() -> post(SLOW));
        for (int i = 0; i < 200 && given().get("/health").<Integer>path("queue.running") == 0; i++) {
            Thread.sleep(10);
        }
        post(SMALL).then().statusCode(503);
        assertThat(slow.get().statusCode()).isEqualTo(504);

        Map<String, Double> after = Scrape.get("/q/metrics");
        Map<String, Double> expected = Map.of("success", 2.0, "invalid", 1.0, "rejected_queue_full", 1.0,
                "deadline", 1.0, "error", 0.0, "cancelled", 0.0, "queue_timeout", 0.0);
        expected.forEach((outcome, n) -> assertThat(delta(before, after, JOBS.formatted(outcome)))
                .as(outcome).isEqualTo(n));

        String duration = "qwen_generation_duration_seconds_count{endpoint=\"/text-to-image\",model=\"demo\","
                + "scheduler=\"euler\",size=\"le256\"}";
        assertThat(delta(before, after, duration)).as("generation time of the successes").isEqualTo(2.0);
        assertThat(delta(before, after, "qwen_generation_step_seconds_count{model=\"demo\",scheduler=\"euler\","
                + "size=\"le256\"}")).as("3 steps each").isEqualTo(6.0);
        assertThat(delta(before, after, "qwen_images_generated_total{endpoint=\"/text-to-image\",model=\"demo\"}"))
                .isEqualTo(2.0);
        assertThat(delta(before, after, "qwen_queue_wait_seconds_count{endpoint=\"/text-to-image\",model=\"demo\"}"))
                .as("the successes and the one that started and ran out of time").isEqualTo(3.0);
        String key = ApiKeys.idOf(KEY);
        assertThat(delta(before, after, "qwen_client_requests_total{key=\"" + key + "\",outcome=\"success\"}"))
                .isEqualTo(2.0);
        assertThat(delta(before, after, "qwen_client_images_total{key=\"" + key + "\"}")).isEqualTo(2.0);
        assertThat(delta(before, after, "qwen_client_generation_seconds_total{key=\"" + key + "\"}")).isPositive();

        assertThat(after).containsEntry("qwen_queue_capacity", 0.0).containsEntry("qwen_queue_workers", 1.0)
                .containsEntry("qwen_ready", 1.0).containsKey("qwen_queue_depth").containsKey("qwen_queue_running")
                .containsEntry("qwen_execution_provider{model=\"demo\",provider=\"cpu\"}", 1.0);
        assertThat(after.get("qwen_model_load_seconds{model=\"demo\"}")).isPositive();
        assertThat(after.get("qwen_model_warmup_seconds{model=\"demo\"}")).isPositive();
        assertThat(after.keySet()).as("no series names a key itself").noneMatch(s -> s.contains(KEY));
    }

    @Test
    void metricsServesTheSameSeriesAsPrometheusText() {
        given().contentType(ContentType.JSON).header("X-API-Key", KEY).body(SMALL).post("/text-to-image");
        Response r = given().get("/metrics");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.contentType()).startsWith("text/plain").contains("version=0.0.4");
        Set<String> alias = qwenSeries(Scrape.of(r.asString()));
        Set<String> quarkus = qwenSeries(Scrape.get("/q/metrics"));
        assertThat(alias).isNotEmpty().isEqualTo(quarkus);
        // what Prometheus sends: /metrics stays in the text format, without exemplars, readable by every version
        Response asked = given().accept("application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5")
                .get("/metrics");
        assertThat(asked.contentType()).startsWith("text/plain").contains("version=0.0.4");
        assertThat(asked.asString()).doesNotContain("trace_id");
    }

    private static Set<String> qwenSeries(Map<String, Double> scrape) {
        return scrape.keySet().stream().filter(s -> s.startsWith("qwen_")).collect(Collectors.toSet());
    }

    private static double delta(Map<String, Double> before, Map<String, Double> after, String series) {
        return Scrape.value(after, series) - Scrape.value(before, series);
    }
}
