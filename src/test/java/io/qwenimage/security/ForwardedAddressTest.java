package io.qwenimage.security;

import static io.restassured.RestAssured.given;

import io.qwenimage.testing.ServiceReady;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Behind a trusted proxy (this test's own address): X-Forwarded-For names the client, for the allowlist and for
 * the per-address rate limit.
 */
@QuarkusTest
@TestProfile(ForwardedAddressTest.BehindTrustedProxy.class)
class ForwardedAddressTest {

    /** No keys; one request per client address at a time; only 10.0.0.0/8 may generate. */
    public static class BehindTrustedProxy implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> config = new java.util.HashMap<>(forwardingFrom("127.0.0.1,::1"));
            config.put("qwen.security.ip-allowlist", "10.0.0.0/8");
            return config;
        }
    }

    /** Forwarded addresses believed from {@code trusted} only; one generation per client address a minute. */
    static Map<String, String> forwardingFrom(String trusted) {
        return Map.of("quarkus.http.proxy.proxy-address-forwarding", "true",
                "quarkus.http.proxy.allow-x-forwarded", "true",
                "quarkus.http.proxy.trusted-proxies", trusted,
                "qwen.security.rate-limit.enabled", "true",
                "qwen.security.rate-limit.requests-per-minute", "1",
                "qwen.security.rate-limit.burst", "1");
    }

    static final String BODY = "{\"prompt\": \"a red circle\", \"num_inference_steps\": 2}";

    @BeforeEach
    void waitUntilReady() throws InterruptedException {
        ServiceReady.await();
    }

    @Test
    void theForwardedAddressIsTheClientForTheAllowlistAndTheRateLimit() {
        given().contentType(ContentType.JSON).body(BODY).post("/text-to-image")
                .then().statusCode(403).body("error.code", org.hamcrest.Matchers.equalTo("FORBIDDEN"));
        given().header("X-Forwarded-For", "8.8.8.8").contentType(ContentType.JSON).body(BODY).post("/text-to-image")
                .then().statusCode(403);
        given().header("X-Forwarded-For", "8.8.8.8").get("/health").then().statusCode(200);

        given().header("X-Forwarded-For", "10.1.2.3").contentType(ContentType.JSON).body(BODY).post("/text-to-image")
                .then().statusCode(200);
        given().header("X-Forwarded-For", "10.1.2.3").contentType(ContentType.JSON).body(BODY).post("/text-to-image")
                .then().statusCode(429);
        given().header("X-Forwarded-For", "10.4.5.6").contentType(ContentType.JSON).body(BODY).post("/text-to-image")
                .then().statusCode(200);
    }
}
