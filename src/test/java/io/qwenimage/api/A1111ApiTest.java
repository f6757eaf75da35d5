package io.qwenimage.api;

import static io.qwenimage.testing.TestImages.redCircleOnBluePng;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.qwenimage.engine.image.ImageCodec;
import io.qwenimage.security.ApiKeys;
import io.qwenimage.testing.ServiceReady;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** AUTOMATIC1111's routes, as Open WebUI and A1111 scripts call them. */
@QuarkusTest
@TestProfile(A1111ApiTest.Keys.class)
class A1111ApiTest {

    static final String KEY = "a1111-key-0123456789abcdef";
    static final String ADMIN = "a1111-admin-0123456789abcdef";

    /** A generate key and an admin key. */
    public static class Keys implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("qwen.security.api-keys", KEY + ",ops:admin=" + ApiKeys.hashEntry(ADMIN));
        }
    }

    @BeforeEach
    void waitUntilReady() throws InterruptedException {
        ServiceReady.await();
    }

    static Response post(String path, String body) {
        return given().header("Authorization", "Bearer " + KEY).contentType(ContentType.JSON).body(body)
                .post("/sdapi/v1/" + path);
    }

    @Test
    void txt2imgWithSeedMinusOneReportsTheDrawnSeedsAndEchoesTheRequest() throws Exception {
        Response r = post("txt2img", "{\"prompt\": \"a red circle\", \"negative_prompt\": \"blurry\", "
                + "\"steps\": 3, \"cfg_scale\": 6, \"width\": 64, \"height\": 64, \"seed\": -1, \"batch_size\": 2, "
                + "\"sampler_name\": \"DPM++ 2M\", \"scheduler\": \"Karras\", \"send_images\": true}");
        r.then().statusCode(200).body("parameters.seed", equalTo(-1)).body("images.size()", equalTo(2));
        JsonNode info = new ObjectMapper().readTree(r.<String>path("info"));
        long seed = info.get("seed").asLong();
        assertThat(seed).isNotNegative();
        assertThat(info.get("all_seeds").get(0).asLong()).isEqualTo(seed);
        assertThat(info.get("all_seeds").get(1).asLong()).isEqualTo(seed + 1);
        assertThat(info.get("sampler_name").asText()).isEqualTo("DPM++ 2M Karras");
        assertThat(info.get("infotexts").get(0).asText()).contains("Seed: " + seed).contains("Steps: 3");
        for (String image : r.<List<String>>path("images")) {
            assertThat(ImageCodec.decode(Base64.getDecoder().decode(image), 1 << 20).width()).isEqualTo(64);
        }
        // the same seed again gives the same picture
        Response again = post("txt2img", "{\"prompt\": \"a red circle\", \"negative_prompt\": \"blurry\", "
                + "\"steps\": 3, \"cfg_scale\": 6, \"width\": 64, \"height\": 64, \"seed\": " + seed + ", "
                + "\"sampler_name\": \"DPM++ 2M Karras\"}");
        assertThat(again.<List<String>>path("images").get(0)).isEqualTo(r.<List<String>>path("images").get(0));
    }

    @Test
    void img2imgTakesTheFirstInitImage() throws Exception {
        String init = "data:image/png;base64," + Base64.getEncoder().encodeToString(redCircleOnBluePng(64, 64));
        Response r = post("img2img", "{\"prompt\": \"a yellow circle\", \"init_images\": [\"" + init + "\"], "
                + "\"denoising_strength\": 0.6, \"steps\": 4, \"seed\": 5}");
        r.then().statusCode(200).body("images.size()", equalTo(1));
        JsonNode info = new ObjectMapper().readTree(r.<String>path("info"));
        assertThat(info.get("denoising_strength").asDouble()).isEqualTo(0.6);
        assertThat(info.get("all_seeds").get(0).asLong()).isEqualTo(5);
        post("img2img", "{\"prompt\": \"x\"}").then().statusCode(422)
                .body("error.details.field", equalTo("init_images"));
        post("txt2img", "{\"prompt\": \"x\", \"sampler_name\": \"Heun\"}").then().statusCode(422)
                .body("error.message", org.hamcrest.Matchers.containsString("unknown scheduler"));
    }

    @Test
    void catalogOptionsProgressAndInterrupt() throws Exception {
        given().header("X-API-Key", KEY).get("/sdapi/v1/samplers").then().statusCode(200)
                .body("name", hasItem("DPM++ 2M Karras")).body("name", hasItem("Euler a"));
        given().header("X-API-Key", KEY).get("/sdapi/v1/sd-models").then().statusCode(200)
                .body("model_name", hasItem("demo"));
        given().header("X-API-Key", KEY).get("/sdapi/v1/options").then().statusCode(200)
                .body("sd_model_checkpoint", equalTo("demo"));
        // issue 19: the checkpoint option is each caller's own, so a generate key may set it; an unknown one is 404
        given().header("X-API-Key", KEY).contentType(ContentType.JSON).body("{\"sd_model_checkpoint\": \"demo\"}")
                .post("/sdapi/v1/options").then().statusCode(200);
        given().header("X-API-Key", ADMIN).contentType(ContentType.JSON).body("{\"sd_model_checkpoint\": \"demo\"}")
                .post("/sdapi/v1/options").then().statusCode(200);
        given().header("X-API-Key", ADMIN).contentType(ContentType.JSON).body("{\"sd_model_checkpoint\": \"sdxl\"}")
                .post("/sdapi/v1/options").then().statusCode(404);

        CompletableFuture<Response> slow = CompletableFuture.supplyAsync(() -> post("txt2img",
                "{\"prompt\": \"a red circle\", \"width\": 512, \"height\": 512, \"steps\": 60}"));
        double fraction = 0;
        for (int i = 0; i < 200 && fraction == 0; i++) {
            Thread.sleep(20);
            fraction = given().header("X-API-Key", KEY).get("/sdapi/v1/progress").then().statusCode(200)
                    .extract().<Float>path("progress");
        }
        assertThat(fraction).as("progress of the running generation").isBetween(0.0, 1.0).isPositive();
        given().header("X-API-Key", KEY).post("/sdapi/v1/interrupt").then().statusCode(200)
                .body("interrupted", equalTo(1));
        assertThat(slow.get().statusCode()).as("the interrupted generation ends at once").isEqualTo(499);
        given().header("X-API-Key", KEY).get("/sdapi/v1/progress").then().body("state.job_count", equalTo(0));
    }
}
