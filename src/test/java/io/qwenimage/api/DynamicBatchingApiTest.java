package io.qwenimage.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.qwenimage.engine.RgbImage;
import io.qwenimage.engine.image.ImageCodec;
import io.qwenimage.testing.ServiceReady;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Dynamic batching through the HTTP API: requests that arrive while the worker is busy run together, and each
 * client gets its own prompt's picture with its own seed, the same it gets when it asks alone. The overhead
 * probe's {@code Server-Timing} header comes with every synchronous picture.
 */
@QuarkusTest
@TestProfile(DynamicBatchingApiTest.Batching.class)
class DynamicBatchingApiTest {

    /** One worker, batches of up to 4 images, 200 ms for company. */
    public static class Batching implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("qwen.queue.workers", "1", "qwen.queue.max-batch", "4",
                    "qwen.queue.max-batch-delay", "200ms");
        }
    }

    static final String[] PROMPTS = {"a red circle on a blue background", "a green square on a white background",
            "a yellow triangle on a black background", "an orange circle on a purple background"};

    @BeforeEach
    void waitUntilReady() throws InterruptedException {
        ServiceReady.await();
    }

    static Response post(String prompt, int seed, int size, int steps) {
        return given().contentType(ContentType.JSON)
                .body("{\"prompt\": \"" + prompt + "\", \"seed\": " + seed + ", \"width\": " + size + ", \"height\": "
                        + size + ", \"num_inference_steps\": " + steps + "}")
                .post("/text-to-image").andReturn();
    }

    static RgbImage picture(Response r) {
        return ImageCodec.decode(Base64.getDecoder().decode(r.<String>path("image")), 1 << 22);
    }

    static long batches() {
        Matcher m = Pattern.compile("(?m)^qwen_queue_batches_total (\\S+)").matcher(given().get("/metrics").asString());
        assertThat(m.find()).as("qwen_queue_batches_total is exported").isTrue();
        return (long) Double.parseDouble(m.group(1));
    }

    @Test
    void requestsArrivingTogetherShareTheUnetAndEachGetsItsOwnPicture() throws Exception {
        long before = batches();
        ExecutorService clients = Executors.newFixedThreadPool(5);
        List<Future<Response>> answers = new ArrayList<>();
        try {
            // a slow job first, so that the next four wait for the worker together
            Future<Response> slow = clients.submit(() -> post("a white circle", 1, 256, 20));
            for (int i = 0; i < 100 && given().get("/health").<Integer>path("queue.running") == 0; i++) {
                Thread.sleep(10);
            }
            for (int i = 0; i < PROMPTS.length; i++) {
                int index = i;
                answers.add(clients.submit(() -> post(PROMPTS[index], 100 + index, 64, 10)));
            }
            assertThat(slow.get().statusCode()).isEqualTo(200);
            for (Future<Response> f : answers) {
                assertThat(f.get().statusCode()).isEqualTo(200);
            }
        } finally {
            clients.shutdownNow();
        }
        assertThat(batches()).as("the four waiting requests ran as a batch").isGreaterThan(before);
        for (int i = 0; i < PROMPTS.length; i++) {
            Response together = answers.get(i).get();
            assertThat(together.<Integer>path("metadata.seed")).isEqualTo(100 + i);
            Response alone = post(PROMPTS[i], 100 + i, 64, 10);
            RgbImage a = picture(together);
            RgbImage b = picture(alone);
            int worst = 0;
            for (int k = 0; k < a.rgb().length; k++) {
                worst = Math.max(worst, Math.abs((a.rgb()[k] & 0xFF) - (b.rgb()[k] & 0xFF)));
            }
            assertThat(worst).as("prompt %d batched vs alone: identical on CPU", i).isZero();
        }
    }

    @Test
    void aSynchronousPictureSaysHowMuchOfItsTimeWasOnnxRuntime() {
        Response r = post("a red circle", 5, 64, 8);
        assertThat(r.statusCode()).isEqualTo(200);
        Matcher m = Pattern.compile("onnx;dur=([0-9.]+), queue;dur=([0-9.]+), total;dur=([0-9.]+).*")
                .matcher(r.header("Server-Timing"));
        assertThat(m.matches()).as(r.header("Server-Timing")).isTrue();
        double onnx = Double.parseDouble(m.group(1));
        double total = Double.parseDouble(m.group(3));
        assertThat(onnx).isPositive().isLessThan(total);
        String metrics = given().get("/metrics").asString();
        assertThat(metrics).contains("qwen_generation_overhead_count{endpoint=\"/text-to-image\"")
                .contains("qwen_generation_onnx_seconds_count{endpoint=\"/text-to-image\"")
                .contains("qwen_generation_server_seconds_count{endpoint=\"/text-to-image\"");
    }
}
