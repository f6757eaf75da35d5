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

    // long enough (a second or two) to watch the queue behind it
    static final String FIRST = "{\"prompt\": \"a red circle on a blue background\", \"seed\": 42, "
            + "\"width\": 512, \"height\": 512, \"num_inference_steps\": 40, \"scheduler\": \"euler\"}";
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
        String first = submit(FIRST);
        for (int i = 0; i < 200 && !"running".equals(status(first).get("status")); i++) {
            Thread.sleep(5);
        }
        String second = submit(SLOW);
        String third = submit(SLOW);
        assertThat(status(second)).containsEntry("status", "queued").containsEntry("position", 1);
        assertThat(status(third)).containsEntry("status", "queued").containsEntry("position", 2);

        // another key can neither see nor cancel them
        given().header("X-API-Key", KEY_B).get("/jobs/" + first).then().statusCode(404)
                .body("error.code", equalTo("JOB_NOT_FOUND"));
        given().header("X-API-Key", KEY_B).delete("/jobs/" + third).then().statusCode(404);

        // the third leaves the queue at once when cancelled
        given().header("X-API-Key", KEY_A).delete("/jobs/" + third).then().statusCode(202);
        assertThat(status(third)).containsEntry("status", "cancelled");
        Map<String, Object> next = status(second);
        if ("queued".equals(next.get("status"))) {
            assertThat(next).as("the cancelled job no longer counts").containsEntry("position", 1);
        } else {
            assertThat(next).containsEntry("status", "running"); // the first has already finished
        }

        // the first's progress streams to its end
        List<String> events = new ArrayList<>();
        HttpResponse<java.io.InputStream> stream = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://localhost:" + port + "/jobs/" + first + "/events"))
                .header("X-API-Key", KEY_A).header("Accept", "text/event-stream").build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertThat(stream.headers().firstValue("content-type").orElse("")).startsWith("text/event-stream");
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(stream.body(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                if (line.startsWith("event:") || line.startsWith("data:")) {
                    events.add(line.replace(": ", ":"));
                }
            }
        }
        assertThat(events).contains("event:progress");
        assertThat(events).anyMatch(l -> l.contains("\"status\":\"running\"") && l.contains("\"total_steps\":40"));
        assertThat(events.get(events.size() - 2)).isEqualTo("event:done");
        assertThat(events.get(events.size() - 1)).contains("\"status\":\"succeeded\"");

        // the second now runs: cancelled, it stops within about one step
        for (int i = 0; i < 200 && !"running".equals(status(second).get("status")); i++) {
            Thread.sleep(20);
        }
        for (int i = 0; i < 200 && ((Number) status(second).getOrDefault("step", 0)).intValue() == 0; i++) {
            Thread.sleep(20);
        }
        long t0 = System.nanoTime();
        given().header("X-API-Key", KEY_A).delete("/jobs/" + second).then().statusCode(202);
        for (int i = 0; i < 250 && !"cancelled".equals(status(second).get("status")); i++) {
            Thread.sleep(20);
        }
        assertThat(status(second)).containsEntry("status", "cancelled");
        assertThat((System.nanoTime() - t0) / 1e9).as("stopped within about one step").isLessThan(5);

        Map<String, Object> done = status(first);
        assertThat(done).containsEntry("status", "succeeded");
        @SuppressWarnings("unchecked")
        String asyncImage = (String) ((Map<String, Object>) done.get("result")).get("image");
        String syncImage = given().header("X-API-Key", KEY_A).contentType(ContentType.JSON).body(FIRST)
                .post("/text-to-image").then().statusCode(200).extract().path("image");
        assertThat(asyncImage).as("the same picture as the synchronous endpoint for the same seed")
                .isEqualTo(syncImage);
        given().header("X-API-Key", KEY_A).delete("/jobs/" + first).then().statusCode(409)
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
