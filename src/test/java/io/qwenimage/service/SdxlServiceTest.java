package io.qwenimage.service;

import static io.qwenimage.testing.TestImages.redCircleOnBluePng;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.qwenimage.testing.ServiceReady;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The SDXL family through the service, on the tiny random-weight SDXL ({@code src/test/resources/models/tiny-sdxl})
 * beside the bundled demo: every API generates on it, {@code /info} describes it, its sizes are multiples of 8
 * (refused in words otherwise), and asynchronous jobs run on it.
 */
@QuarkusTest
@TestProfile(SdxlServiceTest.DemoAndTinySdxl.class)
class SdxlServiceTest {

    public static class DemoAndTinySdxl implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("qwen.models.entries.demo.path", "bundled",
                    "qwen.models.entries.demo.load-at-start", "true",
                    "qwen.models.entries.sdxl.path", "src/test/resources/models/tiny-sdxl",
                    "qwen.models.entries.sdxl.load-at-start", "true",
                    "qwen.models.entries.sdxl.scheduler", "euler",
                    "qwen.models.entries.turbo.path", "src/test/resources/models/tiny-sdxl",
                    "qwen.models.entries.turbo.guidance-scale", "0",
                    "qwen.models.max-loaded", "2",
                    "qwen.models.default", "demo");
        }
    }

    static final String BODY = "{\"prompt\": \"a red circle on a blue background\", \"width\": 64, \"height\": 64, "
            + "\"num_inference_steps\": 3, \"guidance_scale\": 5, \"seed\": 11, \"model\": \"sdxl\"%s}";

    @BeforeEach
    void waitUntilReady() throws InterruptedException {
        ServiceReady.await();
    }

    @Test
    void infoDescribesTheSdxlModel() {
        Map<String, Object> info = given().get("/info?model=sdxl").then().statusCode(200).extract().path("model_info");
        assertThat(given().get("/info?model=sdxl").then().extract().<String>path("default_scheduler"))
                .as("the entry's scheduler").isEqualTo("euler");
        assertThat(info).containsEntry("family", "sdxl").containsEntry("pipeline", "sdxl")
                .containsEntry("default_steps", 20)
                .containsEntry("size_multiple", 8).containsEntry("image_to_image", true);
        List<Map<String, Object>> models = given().get("/info").then().extract().path("models");
        assertThat(models).filteredOn(m -> m.get("id").equals("sdxl")).singleElement()
                .satisfies(m -> assertThat(m).containsEntry("state", "ready").containsEntry("family", "sdxl"));
    }

    @Test
    void theNativeApiGeneratesOnItAndTheSamePictureAgainForTheSameSeed() {
        Response first = given().contentType(ContentType.JSON).body(BODY.formatted("")).post("/text-to-image");
        assertThat(first.statusCode()).as(first.asString()).isEqualTo(200);
        assertThat(first.<String>path("metadata.model")).isEqualTo("sdxl");
        assertThat(first.<Integer>path("metadata.width")).isEqualTo(64);
        Response again = given().contentType(ContentType.JSON).body(BODY.formatted("")).post("/text-to-image");
        assertThat(again.<String>path("image")).isEqualTo(first.<String>path("image"));
        Response other = given().contentType(ContentType.JSON)
                .body(BODY.formatted(", \"negative_prompt\": \"blurry\"")).post("/text-to-image");
        assertThat(other.<String>path("image")).as("the negative prompt is encoded, not zeros")
                .isNotEqualTo(first.<String>path("image"));
    }

    @Test
    void guidanceDefaultsToTheFamilysOrTheModelEntrysOwn() {
        assertThat(given().get("/info?model=sdxl").then().extract().<Float>path("model_info.guidance.default"))
                .as("diffusers' SDXL default").isEqualTo(5.0f);
        String noGuidance = "{\"prompt\": \"a red circle\", \"width\": 64, \"height\": 64, "
                + "\"num_inference_steps\": 2, \"model\": \"%s\"}";
        assertThat(given().contentType(ContentType.JSON).body(noGuidance.formatted("sdxl")).post("/text-to-image")
                .then().statusCode(200).extract().<Float>path("metadata.parameters.guidance_scale")).isEqualTo(5.0f);
        // qwen.models.entries.turbo.guidance-scale=0: an SDXL-Turbo-style entry runs without guidance by default
        assertThat(given().contentType(ContentType.JSON).body(noGuidance.formatted("turbo")).post("/text-to-image")
                .then().statusCode(200).extract().<Float>path("metadata.parameters.guidance_scale")).isEqualTo(0f);
        assertThat(given().get("/info?model=demo").then().extract().<Float>path("model_info.guidance.default"))
                .as("SD 1.x/2.x: qwen.generation.guidance-scale").isEqualTo(7.5f);
    }

    @Test
    void aSizeThatIsNotAMultipleOf8IsRefusedInWords() {
        Response r = given().contentType(ContentType.JSON)
                .body(BODY.formatted("").replace("\"width\": 64", "\"width\": 68")).post("/text-to-image");
        assertThat(r.statusCode()).isEqualTo(422);
        assertThat(r.<String>path("error.message")).contains("multiple of 8").contains("sdxl");
    }

    @Test
    void imageToImageOpenAiA1111AndAsyncJobsRunOnIt() throws InterruptedException {
        Response img2img = given().multiPart("image", "in.png", redCircleOnBluePng(64, 64), "image/png")
                .multiPart("prompt", "a red circle").multiPart("num_inference_steps", "4")
                .multiPart("strength", "0.5").multiPart("model", "sdxl").post("/image-to-image");
        assertThat(img2img.statusCode()).as(img2img.asString()).isEqualTo(200);
        assertThat(img2img.<String>path("metadata.model")).isEqualTo("sdxl");

        given().contentType(ContentType.JSON)
                .body("{\"prompt\": \"a red circle\", \"size\": \"64x64\", \"steps\": 2, \"model\": \"sdxl\"}")
                .post("/v1/images/generations").then().statusCode(200);
        Response a1111 = given().contentType(ContentType.JSON)
                .body("{\"prompt\": \"a red circle\", \"width\": 64, \"height\": 64, \"steps\": 2, "
                        + "\"override_settings\": {\"sd_model_checkpoint\": \"sdxl\"}}").post("/sdapi/v1/txt2img");
        assertThat(a1111.statusCode()).as(a1111.asString()).isEqualTo(200);
        assertThat(a1111.<String>path("info")).contains("\"sd_model_name\":\"sdxl\"");

        String id = given().contentType(ContentType.JSON).body(BODY.formatted("")).post("/jobs").then()
                .statusCode(202).extract().path("id");
        String status = "queued";
        for (int i = 0; i < 400 && !status.equals("succeeded"); i++) {
            status = given().get("/jobs/" + id).then().statusCode(200).extract().path("status");
            assertThat(status).isIn("queued", "running", "succeeded");
            Thread.sleep(25);
        }
        assertThat(status).isEqualTo("succeeded");
    }
}
