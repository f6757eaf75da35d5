package io.qwenimage.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import io.qwenimage.testing.ServiceReady;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** One worker, two queue places, a 2-second deadline: overload is answered at once, deadlines stop the job. */
@QuarkusTest
@TestProfile(OverloadAndDeadlineTest.SmallQueue.class)
class OverloadAndDeadlineTest {

    /** The capacity and deadline of this test. */
    public static class SmallQueue implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("qwen.queue.workers", "1", "qwen.queue.capacity", "2",
                    "qwen.server.request-timeout", "2", "qwen.server.max-file-size", "4096");
        }
    }

    static final String SLOW = "{\"prompt\": \"a red circle\", \"width\": 256, \"height\": 256, "
            + "\"num_inference_steps\": 12, \"seed\": 1}";

    @BeforeEach
    void waitUntilReady() throws InterruptedException {
        ServiceReady.await();
    }

    @Test
    void tenAtOnceWithRoomForThreeGivesThreePicturesAndSevenImmediate503s() throws Exception {
        ExecutorService clients = Executors.newFixedThreadPool(10);
        try {
            List<Future<Response>> calls = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                calls.add(clients.submit(() -> given().contentType(ContentType.JSON).body(SLOW)
                        .post("/text-to-image").andReturn()));
            }
            int ok = 0;
            int overloaded = 0;
            for (Future<Response> f : calls) {
                Response r = f.get();
                if (r.statusCode() == 200) {
                    ok++;
                } else {
                    assertThat(r.statusCode()).isEqualTo(503);
                    assertThat(r.header("Retry-After")).isNotBlank();
                    assertThat(r.<String>path("error.code")).isEqualTo("SERVICE_OVERLOADED");
                    overloaded++;
                }
            }
            assertThat(ok).isEqualTo(3);
            assertThat(overloaded).isEqualTo(7);
        } finally {
            clients.shutdownNow();
        }
    }

    @Test
    void aRequestPastItsDeadlineGets504AndTheWorkerIsFreedAtOnce() {
        long start = System.nanoTime();
        given().contentType(ContentType.JSON)
                .body("{\"prompt\": \"a red circle\", \"width\": 512, \"height\": 512, \"num_inference_steps\": 100}")
                .post("/text-to-image")
                .then().statusCode(504).body("error.code", equalTo("GATEWAY_TIMEOUT"))
                .body("error.message", org.hamcrest.Matchers.containsString("did not finish within 2000 ms"));
        double seconds = (System.nanoTime() - start) / 1e9;
        assertThat(seconds).isLessThan(5.0);
        given().contentType(ContentType.JSON).body("{\"prompt\": \"a red circle\", \"num_inference_steps\": 4}")
                .post("/text-to-image").then().statusCode(200);
    }

    @Test
    void aClientThatHangsUpCancelsItsGeneration() throws Exception {
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        java.net.http.HttpRequest slow = java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create("http://localhost:" + io.restassured.RestAssured.port + "/text-to-image"))
                .header("Content-Type", "application/json").timeout(java.time.Duration.ofMillis(300))
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"prompt\": \"a red circle\", "
                        + "\"width\": 512, \"height\": 512, \"num_inference_steps\": 100}")).build();
        try {
            http.send(slow, java.net.http.HttpResponse.BodyHandlers.discarding());
        } catch (java.net.http.HttpTimeoutException expected) {
            // the client gave up after 300 ms and closed the connection
        }
        long deadline = System.nanoTime() + 1_000_000_000L;     // well before the 2 s request deadline
        int running = 1;
        while (running > 0 && System.nanoTime() < deadline) {
            running = given().get("/health").then().extract().path("queue.running");
            Thread.sleep(20);
        }
        assertThat(running).as("the abandoned generation was stopped").isZero();
    }

    @Test
    void anUploadOverTheFileSizeLimitIs413() {
        byte[] big = new byte[5000];
        given().multiPart("image", "big.png", big, "image/png").multiPart("prompt", "x").post("/image-to-image")
                .then().statusCode(413).body("error.code", equalTo("FILE_TOO_LARGE"))
                .body("error.details.max_file_size", equalTo(4096));
        given().contentType(ContentType.JSON)
                .body(Map.of("image", java.util.Base64.getEncoder().encodeToString(big), "prompt", "x"))
                .post("/image-to-image").then().statusCode(413).body("error.code", equalTo("FILE_TOO_LARGE"));
    }

    @Test
    void healthAndInfoAnswerWhileTheWorkerIsBusy() throws Exception {
        ExecutorService client = Executors.newSingleThreadExecutor();
        try {
            Future<Response> busy = client.submit(() -> given().contentType(ContentType.JSON).body(SLOW)
                    .post("/text-to-image").andReturn());
            Thread.sleep(200);
            long t0 = System.nanoTime();
            given().get("/info").then().statusCode(200);
            given().get("/q/health/live").then().statusCode(200);
            assertThat((System.nanoTime() - t0) / 1e6).isLessThan(500);
            assertThat(busy.get().statusCode()).isEqualTo(200);
        } finally {
            client.shutdownNow();
        }
    }
}
