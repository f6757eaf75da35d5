package io.qwenimage.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A model folder that cannot be loaded: the service stays up, says why, and is never ready. */
@QuarkusTest
@TestProfile(BrokenModelTest.NotAModel.class)
class BrokenModelTest {

    /** A folder that exists but holds pictures, not a model. */
    public static class NotAModel implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("qwen.model.path", "src/test/resources/images");
        }
    }

    @Test
    void healthIs503WithTheReasonAndGenerationsAreRefused() throws InterruptedException {
        for (int i = 0; i < 100 && !"unhealthy".equals(given().get("/health").path("status")); i++) {
            Thread.sleep(50);
        }
        given().get("/health").then().statusCode(503).body("status", equalTo("unhealthy"))
                .body("model_loaded", equalTo(false)).body("error", containsString("model_index.json"));
        given().get("/q/health/ready").then().statusCode(503);
        given().get("/q/health/started").then().statusCode(503);
        given().get("/q/health/live").then().statusCode(200);
        given().contentType(ContentType.JSON).body("{\"prompt\": \"a red circle\"}").post("/text-to-image")
                .then().statusCode(503).body("error.code", equalTo("MODEL_NOT_LOADED"))
                .body("error.message", containsString("model_index.json"));
        given().get("/info").then().statusCode(200).body("model_info.loaded", equalTo(false));
    }
}
