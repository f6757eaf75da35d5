package io.qwenimage.security;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** CORS from configuration: the listed origin may call the API from a browser, another may not. */
@QuarkusTest
@TestProfile(CorsTest.OneOrigin.class)
class CorsTest {

    /** One allowed origin; keys on, so that a preflight (which carries no key) must still pass. */
    public static class OneOrigin implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.http.cors.enabled", "true",
                    "quarkus.http.cors.origins", "https://app.example",
                    "qwen.security.api-keys", "cors-key-0123456789abcdef");
        }
    }

    static Response preflight(String origin) {
        return given().header("Origin", origin).header("Access-Control-Request-Method", "POST")
                .header("Access-Control-Request-Headers", "content-type,x-api-key")
                .options("/text-to-image").andReturn();
    }

    @Test
    void preflightFromTheAllowedOriginSucceeds() {
        Response r = preflight("https://app.example");
        assertThat(r.statusCode()).isBetween(200, 204);
        assertThat(r.header("Access-Control-Allow-Origin")).isEqualTo("https://app.example");
        assertThat(r.header("Access-Control-Allow-Methods")).contains("POST");
        assertThat(r.header("Access-Control-Allow-Headers")).containsIgnoringCase("x-api-key");
        assertThat(r.header("Access-Control-Allow-Credentials")).isNotEqualTo("true");
    }

    @Test
    void anotherOriginGetsNoAllowOrigin() {
        Response r = preflight("https://evil.example");
        assertThat(r.header("Access-Control-Allow-Origin")).isNull();
        Response simple = given().header("Origin", "https://evil.example").get("/health").andReturn();
        assertThat(simple.header("Access-Control-Allow-Origin")).isNull();
    }
}
