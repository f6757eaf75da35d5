package io.qwenimage.security;

import static io.qwenimage.testing.TestImages.redCircleOnBluePng;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;

import io.qwenimage.testing.LogCapture;
import io.qwenimage.testing.ServiceReady;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** With keys configured: every generation route needs one, in either header; probes stay open. */
@QuarkusTest
@TestProfile(ApiKeyAuthTest.WithKeys.class)
class ApiKeyAuthTest {

    static final String ALICE = "alice-0123456789abcdef0123";
    static final String OPS = "ops-fedcba9876543210fedcba";
    static final String WRONG = "mallory-0000000000000000";

    /** A generate key, an admin key given as its hash, and /info no longer public. */
    public static class WithKeys implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("qwen.security.api-keys", "alice=" + ALICE + ",ops:admin=" + ApiKeys.hashEntry(OPS),
                    "qwen.security.public-paths", "/q/openapi*",
                    "quarkus.log.category.\"io.qwenimage\".level", "DEBUG",
                    "quarkus.log.category.\"io.quarkus.security\".level", "DEBUG",
                    "quarkus.log.category.\"io.quarkus.vertx.http.runtime.security\".level", "DEBUG");
        }
    }

    static final String T2I = "{\"prompt\": \"a red circle\", \"num_inference_steps\": 2, \"seed\": 3}";

    /** One way to call each generation route. */
    static List<UnaryOperator<RequestSpecification>> routes() {
        byte[] png = redCircleOnBluePng(64, 64);
        String b64 = Base64.getEncoder().encodeToString(png);
        return List.of(
                r -> r.contentType(ContentType.JSON).body(T2I).basePath("/text-to-image"),
                r -> r.multiPart("image", "in.png", png, "image/png").multiPart("prompt", "a red circle")
                        .multiPart("num_inference_steps", "2").basePath("/image-to-image"),
                r -> r.contentType(ContentType.JSON).body("{\"image\": \"" + b64 + "\", \"prompt\": \"a red circle\", "
                        + "\"num_inference_steps\": 2}").basePath("/image-to-image"));
    }

    @BeforeEach
    void waitUntilReady() throws InterruptedException {
        ServiceReady.await();
    }

    @Test
    void everyGenerationRouteIs401WithoutOrWithAWrongKeyAnd200WithARightKeyInEitherHeader() {
        try (LogCapture log = LogCapture.start()) {
            for (UnaryOperator<RequestSpecification> route : routes()) {
                route.apply(given()).post().then().statusCode(401)
                        .header("WWW-Authenticate", containsString("Bearer"))
                        .body("success", equalTo(false)).body("error.code", equalTo("UNAUTHORIZED"))
                        .body("error.message", containsString("X-API-Key"));
                route.apply(given().header("X-API-Key", WRONG)).post().then().statusCode(401)
                        .header("WWW-Authenticate", containsString("Bearer"))
                        .body("error.message", equalTo("the API key is not valid"));
                route.apply(given().header("Authorization", "Bearer " + WRONG)).post().then().statusCode(401);
                route.apply(given().header("Authorization", "Basic " + ALICE)).post().then().statusCode(401);
                route.apply(given().header("X-API-Key", ALICE)).post().then().statusCode(200)
                        .body("success", equalTo(true));
                route.apply(given().header("Authorization", "Bearer " + ALICE)).post().then().statusCode(200);
                route.apply(given().header("authorization", "bearer " + OPS)).post().then().statusCode(200);
            }
            assertThat(log.lines()).as("the rejected key is logged by its id").anyMatch(
                    l -> l.contains(ApiKeys.idOf(WRONG)));
            assertThat(log.lines()).as("no key ever appears in a log line").noneMatch(
                    l -> l.contains(ALICE) || l.contains(OPS) || l.contains(WRONG));
        }
    }

    @Test
    void probesAndConfiguredPublicPathsStayOpen() {
        for (String path : List.of("/health", "/q/health", "/q/health/live", "/q/health/ready", "/q/health/started",
                "/q/openapi")) {
            given().get(path).then().statusCode(200);
        }
        given().get("/info").then().statusCode(401);
        given().header("X-API-Key", ALICE).get("/info").then().statusCode(200);
        given().get("/no-such-route").then().statusCode(401);
    }

    @Test
    void adminRoutesNeedTheAdminScopeAndNeverShowKeys() {
        given().get("/admin/keys").then().statusCode(401);
        given().header("X-API-Key", ALICE).get("/admin/keys").then().statusCode(403)
                .body("error.code", equalTo("FORBIDDEN"));
        String body = given().header("X-API-Key", OPS).get("/admin/keys").then().statusCode(200)
                .body("auth_enabled", equalTo(true))
                .body("keys.name", org.hamcrest.Matchers.containsInAnyOrder("alice", "ops"))
                .body(not(containsString(ALICE))).extract().asString();
        assertThat(body).doesNotContain(OPS).doesNotContain(ApiKeys.hashEntry(ALICE).substring(7));
    }

    @Test
    void everyResponseCarriesTheSecurityHeaders() {
        for (var r : List.of(given().get("/health"), given().get("/admin/keys"),
                given().header("X-API-Key", ALICE).contentType(ContentType.JSON).body(T2I).post("/text-to-image"))) {
            assertThat(r.header("X-Content-Type-Options")).isEqualTo("nosniff");
            assertThat(r.header("X-Frame-Options")).isEqualTo("DENY");
            assertThat(r.header("Referrer-Policy")).isEqualTo("no-referrer");
            assertThat(r.header("Cache-Control")).isEqualTo("no-store");
            assertThat(r.header("Content-Security-Policy")).contains("frame-ancestors 'none'");
            assertThat(r.header("Strict-Transport-Security")).as("no HSTS over plain HTTP").isNull();
        }
    }
}
