package io.qwenimage.hostile;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.qwenimage.security.ApiKeys;
import io.qwenimage.testing.ServiceReady;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What the metrics show and to whom: no raw request path (capability links, random probes) in any label, however
 * many unauthenticated paths arrive, so real routes stay recorded; with {@code /metrics} taken out of the public
 * paths, only a {@code metrics} (or {@code admin}) key reads it, and a {@code metrics} key can do nothing else.
 */
@QuarkusTest
@TestProfile(MetricsExposureTest.MetricsBehindAKey.class)
class MetricsExposureTest {

    static final String GENERATE = "gen-0123456789abcdef0123";
    static final String SCRAPER = "prom-0123456789abcdef0123";
    static final String ADMIN = "ops-fedcba9876543210fedcba";

    /** Three keys, one per scope; nothing public but the probes and the picture links. */
    public static class MetricsBehindAKey implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("qwen.security.api-keys", "gen=" + GENERATE + ",prometheus:metrics=" + SCRAPER
                            + ",ops:admin=" + ApiKeys.hashEntry(ADMIN),
                    "qwen.security.public-paths", "/q/openapi*");
        }
    }

    @BeforeEach
    void waitUntilReady() throws InterruptedException {
        ServiceReady.await();
    }

    @Test
    void rawPathsNeverBecomeLabelsAndRealRoutesAreStillRecordedAfterAFlood() {
        // a capability link with a wrong key (401 before routing), and 150 random probes without one
        given().header("X-API-Key", "mallory-0000000000000000").get("/v1/images/files/capability0123456789")
                .then().statusCode(401);
        for (int i = 0; i < 150; i++) {
            given().get("/probe-" + i + "/x").then().statusCode(401);
            given().header("X-API-Key", GENERATE).get("/probe-" + i + "/y").then().statusCode(404);
        }
        given().urlEncodingEnabled(false).header("X-API-Key", GENERATE).get("/probe;x=1/z").then().statusCode(400);
        given().header("X-API-Key", GENERATE).contentType(ContentType.JSON).body("{}").post("/text-to-image")
                .then().statusCode(422);

        String scrape = given().header("X-API-Key", SCRAPER).get("/metrics").then().statusCode(200)
                .extract().asString();
        Set<String> uris = new TreeSet<>();
        Matcher m = Pattern.compile("^http_server_requests_seconds_count\\{[^}]*uri=\"([^\"]*)\"", Pattern.MULTILINE)
                .matcher(scrape);
        while (m.find()) {
            uris.add(m.group(1));
        }
        assertThat(uris).noneMatch(u -> u.contains("probe") || u.contains("capability"));
        assertThat(uris).contains("/text-to-image").hasSizeLessThan(20);
    }

    @Test
    void onlyAMetricsOrAdminKeyReadsTheMetricsAndAMetricsKeyCannotGenerate() {
        given().get("/metrics").then().statusCode(401);
        given().get("/q/metrics").then().statusCode(401);
        given().header("X-API-Key", GENERATE).get("/metrics").then().statusCode(403);
        given().header("X-API-Key", SCRAPER).get("/metrics").then().statusCode(200);
        given().header("X-API-Key", SCRAPER).get("/q/metrics").then().statusCode(200);
        given().header("Authorization", "Bearer " + ADMIN).get("/metrics").then().statusCode(200);
        given().header("X-API-Key", SCRAPER).contentType(ContentType.JSON).body("{\"prompt\": \"x\"}")
                .post("/text-to-image").then().statusCode(403);
        given().header("X-API-Key", SCRAPER).get("/admin/keys").then().statusCode(403);
    }
}
