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
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** 5 requests a minute in bursts of 2, per key: a flood from one key is cut, the other key is untouched. */
@QuarkusTest
@TestProfile(RateLimitTest.FivePerMinute.class)
class RateLimitTest {

    static final String KEY_A = "key-a-0123456789abcdef";
    static final String KEY_B = "key-b-0123456789abcdef";

    /** Two keys; the limit of the example. */
    public static class FivePerMinute implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("qwen.security.api-keys", KEY_A + "," + KEY_B,
                    "qwen.security.rate-limit.enabled", "true",
                    "qwen.security.rate-limit.requests-per-minute", "5",
                    "qwen.security.rate-limit.requests-per-hour", "100",
                    "qwen.security.rate-limit.burst", "2");
        }
    }

    static final String BODY = "{\"prompt\": \"a red circle\", \"num_inference_steps\": 2}";

    @BeforeEach
    void waitUntilReady() throws InterruptedException {
        ServiceReady.await();
    }

    @Test
    void twentyConcurrentRequestsFromOneKeyAdmitExactlyTheBurstAndTheRestGet429() throws Exception {
        ExecutorService clients = Executors.newFixedThreadPool(20);
        CountDownLatch go = new CountDownLatch(1);
        try {
            List<Future<Response>> calls = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                calls.add(clients.submit(() -> {
                    go.await();
                    return given().header("X-API-Key", KEY_A).contentType(ContentType.JSON).body(BODY)
                            .post("/text-to-image").andReturn();
                }));
            }
            go.countDown();
            int ok = 0;
            int limited = 0;
            for (Future<Response> f : calls) {
                Response r = f.get();
                if (r.statusCode() == 200) {
                    ok++;
                    assertThat(r.header("X-RateLimit-Limit")).isEqualTo("5");
                    assertThat(Integer.parseInt(r.header("X-RateLimit-Remaining"))).isBetween(0, 1);
                } else {
                    assertThat(r.statusCode()).isEqualTo(429);
                    assertThat(r.<String>path("error.code")).isEqualTo("RATE_LIMIT_EXCEEDED");
                    assertThat(Long.parseLong(r.header("Retry-After"))).isBetween(1L, 12L);
                    assertThat(r.header("X-RateLimit-Limit")).isEqualTo("5");
                    assertThat(r.header("X-RateLimit-Remaining")).isEqualTo("0");
                    assertThat(Long.parseLong(r.header("X-RateLimit-Reset"))).isPositive();
                    assertThat(r.<Integer>path("error.details.burst")).isEqualTo(2);
                    limited++;
                }
            }
            assertThat(ok).isEqualTo(2);
            assertThat(limited).isEqualTo(18);
        } finally {
            clients.shutdownNow();
        }
        given().header("X-API-Key", KEY_B).contentType(ContentType.JSON).body(BODY).post("/text-to-image")
                .then().statusCode(200);
        given().header("X-API-Key", KEY_A).contentType(ContentType.JSON).body(BODY).post("/text-to-image")
                .then().statusCode(429);
        // probes and metadata do not spend tokens
        given().header("X-API-Key", KEY_A).get("/health").then().statusCode(200);
        given().header("X-API-Key", KEY_A).get("/info").then().statusCode(200);
    }
}
