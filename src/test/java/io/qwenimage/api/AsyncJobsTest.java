package io.qwenimage.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import io.qwenimage.testing.ServiceReady;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Three jobs on one worker: positions move, events stream to the end, cancels work queued and running. */
@QuarkusTest
@TestProfile(AsyncJobsTest.OneWorker.class)
class AsyncJobsTest {

    static final String KEY_A = "async-a-0123456789abcdef";
    static final String KEY_B = "async-b-0123456789abcdef";

    /** One worker, two keys. */
    public static class OneWorker implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("qwen.queue.workers", "1", "qwen.security.api-keys", KEY_A + "," + KEY_B);
        }
    }

    @ConfigProperty(name = "quarkus.http.test-port")
    int port;

    static final String FIRST = "{\"prompt\": \"a red circle on a blue background\", \"seed\": 42, "
            + "\"num_inference_steps\": 8, \"scheduler\": \"euler\"}";
    static final String SLOW = "{\"prompt\": \"a red circle\", \"width\": 512, \"height\": 512, "
            + "\"num_inference_steps\": 60}";

    @BeforeEach
    void waitUntilReady() throws InterruptedException {
        ServiceReady.await();
    }

    static String submit(String body) {
        return given().header("X-API-Key", KEY_A).contentType(ContentType.JSON).body(body).post("/jobs")
                .then().statusCode(202).header("Location", org.hamcrest.Matchers.containsString("/jobs/"))
                .extract().path("id");
    }

    static Map<String, Object> status(String id) {
        return given().header("X-API-Key", KEY_A).get("/jobs/" + id).then().statusCode(200).extract().jsonPath()
                .getMap("");
    }

    @Test
    void positionsMoveEventsStreamAndCancelsStopQueuedAndRunningJobs() throws Exception {
        String slowFirst = submit(SLOW);
        String second = submit(SLOW);
        String third = submit(FIRST);
        assertThat(status(third)).containsEntry("status", "queued").containsEntry("position", 2);
        assertThat(status(second)).containsEntry("status", "queued").containsEntry("position", 1);

        // another key cannot see or cancel them
        given().header("X-API-Key", KEY_B).get("/jobs/" + slowFirst).then().statusCode(404)
                .body("error.code", equalTo("JOB_NOT_FOUND"));

        // the first runs: its progress is streamed until the end; cancel it while it runs
        List<String> events = new ArrayList<>();
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<java.io.InputStream> stream = http.send(HttpRequest.newBuilder(
                URI.create("http://localhost:" + port + "/jobs/" + slowFirst + "/events"))
                .header("X-API-Key", KEY_A).header("Accept", "text/event-stream").build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertThat(stream.headers().firstValue("content-type").orElse("")).startsWith("text/event-stream");
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(stream.body(), StandardCharsets.UTF_8))) {
            String line;
            boolean cancelled = false;
            while ((line = reader.readLine()) != null) {
                if (line.startsWith("event:") || line.startsWith("data:")) {
                    events.add(line);
                }
                if (!cancelled && line.contains("\"status\":\"running\"") && line.contains("\"step\":")
                        && !line.contains("\"step\":0")) {
                    given().header("X-API-Key", KEY_A).delete("/jobs/" + slowFirst).then().statusCode(202);
                    cancelled = true;
                }
            }
        }
        assertThat(events).anyMatch(l -> l.equals("event:progress") || l.equals("event: progress"));
        assertThat(events.get(events.size() - 2)).contains("done");
        assertThat(events.get(events.size() - 1)).contains("\"status\":\"cancelled\"");
        Map<String, Object> first = status(slowFirst);
        assertThat(first).containsEntry("status", "cancelled");

        // the queue moved: the second is running or about to; the third waits behind it at position 1
        for (int i = 0; i < 100 && !"running".equals(status(second).get("status")); i++) {
            Thread.sleep(50);
        }
        assertThat(status(second)).containsEntry("status", "running");
        assertThat(status(third)).containsEntry("status", "queued").containsEntry("position", 1);

        // cancel the second while it runs: it stops within a step, and the third gets the worker
        long t0 = System.nanoTime();
        given().header("X-API-Key", KEY_A).delete("/jobs/" + second).then().statusCode(202);
        for (int i = 0; i < 200 && !"cancelled".equals(status(second).get("status")); i++) {
            Thread.sleep(20);
        }
        assertThat(status(second)).containsEntry("status", "cancelled");
        assertThat((System.nanoTime() - t0) / 1e9).as("stopped within about one step").isLessThan(5);

        for (int i = 0; i < 300 && !"succeeded".equals(status(third).get("status")); i++) {
            Thread.sleep(50);
        }
        Map<String, Object> done = status(third);
        assertThat(done).containsEntry("status", "succeeded");
        @SuppressWarnings("unchecked")
        String asyncImage = (String) ((Map<String, Object>) done.get("result")).get("image");
        String syncImage = given().header("X-API-Key", KEY_A).contentType(ContentType.JSON).body(FIRST)
                .post("/text-to-image").then().statusCode(200).extract().path("image");
        assertThat(asyncImage).as("the same picture as the synchronous endpoint for the same seed")
                .isEqualTo(syncImage);
        given().header("X-API-Key", KEY_A).delete("/jobs/" + third).then().statusCode(409)
                .body("error.code", equalTo("JOB_FINISHED"));
    }

    @Test
    void preferRespondAsyncAndIdempotencyKeysGiveOneJob() {
        var first = given().header("X-API-Key", KEY_B).header("Prefer", "respond-async")
                .header("Idempotency-Key", "order-17").contentType(ContentType.JSON).body(FIRST)
                .post("/text-to-image").then().statusCode(202).header("Preference-Applied", "respond-async")
                .extract();
        String id = first.path("id");
        assertThat(first.<String>path("status_url")).isEqualTo("/jobs/" + id);
        String again = given().header("X-API-Key", KEY_B).header("Prefer", "respond-async")
                .header("Idempotency-Key", "order-17").contentType(ContentType.JSON).body(FIRST)
                .post("/text-to-image").then().statusCode(202).extract().path("id");
        assertThat(again).isEqualTo(id);
        String other = given().header("X-API-Key", KEY_A).header("Idempotency-Key", "order-17")
                .contentType(ContentType.JSON).body(FIRST).post("/jobs").then().statusCode(202).extract().path("id");
        assertThat(other).as("keys are per caller").isNotEqualTo(id);
        given().header("X-API-Key", KEY_B).get("/jobs/no-such-job").then().statusCode(404);
    }
}
