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

/** A client that is not a trusted proxy cannot escape its rate limit with a made-up X-Forwarded-For. */
@QuarkusTest
@TestProfile(UntrustedForwardedForTest.OtherProxyTrusted.class)
class UntrustedForwardedForTest {

    /** Forwarding on, but only for a proxy at 10.9.9.9; one request per address. */
    public static class OtherProxyTrusted implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return ForwardedAddressTest.forwardingFrom("10.9.9.9");
        }
    }

    static final String BODY = "{\"prompt\": \"a red circle\", \"num_inference_steps\": 2}";

    @BeforeEach
    void waitUntilReady() throws InterruptedException {
        ServiceReady.await();
    }

    @Test
    void spoofedForwardedForIsIgnored() {
        given().contentType(ContentType.JSON).body(BODY).post("/text-to-image").then().statusCode(200);
        for (String spoof : new String[] {"1.2.3.4", "5.6.7.8", "10.9.9.9"}) {
            given().header("X-Forwarded-For", spoof).header("Forwarded", "for=" + spoof)
                    .contentType(ContentType.JSON).body(BODY).post("/text-to-image").then().statusCode(429);
        }
    }
}
