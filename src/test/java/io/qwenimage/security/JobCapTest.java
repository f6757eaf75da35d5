package io.qwenimage.security;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

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

/** One job per key at a time: a second key still gets into the queue while the first is busy. */
@QuarkusTest
@TestProfile(JobCapTest.OneJobPerKey.class)
class JobCapTest {

    static final String KEY_A = "key-a-0123456789abcdef";
    static final String KEY_B = "key-b-0123456789abcdef";

    /** Two keys, a cap of one job each, one worker. */
    public static class OneJobPerKey implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("qwen.security.api-keys", KEY_A + "," + KEY_B, "qwen.security.max-jobs-per-key", "1",
                    "qwen.queue.workers", "1");
        }
    }

    // long enough (seconds) that the first job is surely still running when the next ones arrive
    static final String SLOW = "{\"prompt\": \"a red circle\", \"width\": 512, \"height\": 512, "
            + "\"num_inference_steps\": 20}";

    @BeforeEach
    void waitUntilReady() throws InterruptedException {
        ServiceReady.await();
    }

    @Test
    void aKeyWithAJobInFlightGets429WhileAnotherKeyIsServed() throws Exception {
        ExecutorService clients = Executors.newFixedThreadPool(4);
        try {
            Future<Response> first = clients.submit(() -> post(KEY_A));
            // until A's job is admitted
            for (int i = 0; i < 100 && given().get("/health").<Integer>path("queue.running") == 0; i++) {
                Thread.sleep(20);
            }
            List<Future<Response>> more = new ArrayList<>();
            more.add(clients.submit(() -> post(KEY_A)));
            more.add(clients.submit(() -> post(KEY_A)));
            Future<Response> other = clients.submit(() -> post(KEY_B));
            for (Future<Response> f : more) {
                Response r = f.get();
                assertThat(r.statusCode()).isEqualTo(429);
                assertThat(r.<String>path("error.code")).isEqualTo("TOO_MANY_JOBS");
                assertThat(r.header("Retry-After")).isNotBlank();
            }
            assertThat(first.get().statusCode()).isEqualTo(200);
            assertThat(other.get().statusCode()).isEqualTo(200);
        } finally {
            clients.shutdownNow();
        }
        assertThat(post(KEY_A).statusCode()).as("the slot is free again once the job ended").isEqualTo(200);
    }

    private static Response post(String key) {
        return given().header("X-API-Key", key).contentType(ContentType.JSON).body(SLOW).post("/text-to-image")
                .andReturn();
    }
}
