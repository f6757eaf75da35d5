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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * SD3 and FLUX.1 (dev and schnell) through the service, on the tiny random-weight fixtures beside the bundled demo:
 * every API generates on each, {@code /info} gives each family's defaults (steps, guidance and its kind, sizes of 16),
 * sizes and fields a family does not take are refused in words, and FLUX's true CFG and T5 length are honoured.
 */
@QuarkusTest
@TestProfile(FlowFamiliesServiceTest.DemoSd3AndFlux.class)
class FlowFamiliesServiceTest {

    public static class DemoSd3AndFlux implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("qwen.models.entries.demo.path", "bundled",
                    "qwen.models.entries.demo.load-at-start", "true",
                    "qwen.models.entries.sd3.path", "src/test/resources/models/tiny-sd3",
                    "qwen.models.entries.sd3.load-at-start", "true",
                    "qwen.models.entries.flux-dev.path", "src/test/resources/models/tiny-flux-dev",
                    "qwen.models.entries.flux-dev.load-at-start", "true",
                    "qwen.models.entries.flux-schnell.path", "src/test/resources/models/tiny-flux-schnell",
                    "qwen.models.max-loaded", "4",
                    "qwen.models.default", "demo");
        }
    }

    static final String BODY = "{\"prompt\": \"a red circle on a blue background\", \"width\": 64, \"height\": 64, "
            + "\"num_inference_steps\": 2, \"seed\": 11, \"model\": \"%s\"%s}";

    @BeforeEach
    void waitUntilReady() throws InterruptedException {
        ServiceReady.await();
    }

    @ParameterizedTest
    @CsvSource({"sd3, sd3, sd3, 28, 7.0, cfg", "flux-dev, flux, flux.1-dev, 28, 3.5, distilled",
        "flux-schnell, flux, flux.1-schnell, 4, 0.0, none"})
    void infoGivesEachFamilysDefaults(String id, String pipeline, String family, int steps, float guidance,
                                      String kind) {
        Map<String, Object> info = given().get("/info?model=" + id).then().statusCode(200).extract()
                .path("model_info");
        assertThat(info).containsEntry("pipeline", pipeline).containsEntry("family", family)
                .containsEntry("default_steps", steps).containsEntry("size_multiple", 16)
                .containsEntry("image_to_image", true).containsEntry("prediction_type", "flow");
        assertThat(given().get("/info?model=" + id).then().extract().<Float>path("model_info.guidance.default"))
                .isEqualTo(guidance);
        assertThat(given().get("/info?model=" + id).then().extract().<String>path("model_info.guidance.kind"))
                .isEqualTo(kind);
        assertThat(given().get("/info?model=" + id).then().extract().<List<String>>path("schedulers"))
                .containsExactly("flow_match_euler");
    }

    @ParameterizedTest
    @ValueSource(strings = {"sd3", "flux-dev", "flux-schnell"})
    void theNativeApiGeneratesTheSamePictureForTheSameSeedAndAnotherForAnotherPrompt(String id) {
        Response first = given().contentType(ContentType.JSON).body(BODY.formatted(id, "")).post("/text-to-image");
        assertThat(first.statusCode()).as(first.asString()).isEqualTo(200);
        assertThat(first.<String>path("metadata.model")).isEqualTo(id);
        assertThat(first.<String>path("metadata.parameters.scheduler")).isEqualTo("flow_match_euler");
        Response again = given().contentType(ContentType.JSON).body(BODY.formatted(id, "")).post("/text-to-image");
        assertThat(again.<String>path("image")).isEqualTo(first.<String>path("image"));
        Response other = given().contentType(ContentType.JSON)
                .body(BODY.formatted(id, "").replace("a red circle", "a green square")).post("/text-to-image");
        assertThat(other.<String>path("image")).isNotEqualTo(first.<String>path("image"));
    }

    @Test
    void requestsWithoutStepsOrGuidanceGetTheFamilysDefaults() {
        String bare = "{\"prompt\": \"a red circle\", \"width\": 64, \"height\": 64, \"model\": \"%s\"}";
        Response schnell = given().contentType(ContentType.JSON).body(bare.formatted("flux-schnell"))
                .post("/text-to-image");
        assertThat(schnell.statusCode()).as(schnell.asString()).isEqualTo(200);
        assertThat(schnell.<Integer>path("metadata.parameters.num_inference_steps")).isEqualTo(4);
        assertThat(schnell.<Float>path("metadata.parameters.guidance_scale")).isEqualTo(0f);
        Response dev = given().contentType(ContentType.JSON).body(bare.formatted("flux-dev")
                .replace("}", ", \"num_inference_steps\": 2}")).post("/text-to-image");
        assertThat(dev.<Float>path("metadata.parameters.guidance_scale")).isEqualTo(3.5f);
        assertThat(dev.<Float>path("metadata.parameters.true_cfg_scale")).isEqualTo(1f);
    }

    @Test
    void fluxTrueCfgAndDistilledGuidanceEachChangeThePicture() {
        String plain = given().contentType(ContentType.JSON).body(BODY.formatted("flux-dev", "")).post("/text-to-image")
                .then().statusCode(200).extract().path("image");
        Response trueCfg = given().contentType(ContentType.JSON)
                .body(BODY.formatted("flux-dev", ", \"true_cfg_scale\": 4, \"negative_prompt\": \"blurry\""))
                .post("/text-to-image");
        assertThat(trueCfg.statusCode()).as(trueCfg.asString()).isEqualTo(200);
        assertThat(trueCfg.<Float>path("metadata.parameters.true_cfg_scale")).isEqualTo(4f);
        assertThat(trueCfg.<String>path("image")).isNotEqualTo(plain);
        String guided = given().contentType(ContentType.JSON).body(BODY.formatted("flux-dev", ", \"guidance_scale\": 6"))
                .post("/text-to-image").then().statusCode(200).extract().path("image");
        assertThat(guided).isNotEqualTo(plain);
        // schnell takes no guidance input: the value does not change its picture
        String schnell = given().contentType(ContentType.JSON).body(BODY.formatted("flux-schnell", ""))
                .post("/text-to-image").then().statusCode(200).extract().path("image");
        String schnellGuided = given().contentType(ContentType.JSON)
                .body(BODY.formatted("flux-schnell", ", \"guidance_scale\": 6")).post("/text-to-image").then()
                .statusCode(200).extract().path("image");
        assertThat(pixels(schnellGuided)).as("the pixels (the PNG's parameters text differs)")
                .isEqualTo(pixels(schnell));
    }

    private static int[] pixels(String base64Png) {
        try {
            java.awt.image.BufferedImage image = javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(
                    java.util.Base64.getDecoder().decode(base64Png)));
            return image.getRGB(0, 0, image.getWidth(), image.getHeight(), null, 0, image.getWidth());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void t5sLengthIsTakenOnSd3AndFluxAndRefusedWhereItDoesNotApply() {
        Response shortT5 = given().contentType(ContentType.JSON)
                .body(BODY.formatted("sd3", ", \"max_sequence_length\": 77")).post("/text-to-image");
        assertThat(shortT5.statusCode()).as(shortT5.asString()).isEqualTo(200);
        assertThat(shortT5.<Integer>path("metadata.parameters.max_sequence_length")).isEqualTo(77);
        String full = given().contentType(ContentType.JSON).body(BODY.formatted("sd3", "")).post("/text-to-image")
                .then().extract().path("image");
        assertThat(shortT5.<String>path("image")).as("T5's padding is part of the text").isNotEqualTo(full);
        Response tooLong = given().contentType(ContentType.JSON)
                .body(BODY.formatted("flux-dev", ", \"max_sequence_length\": 513")).post("/text-to-image");
        assertThat(tooLong.statusCode()).isEqualTo(422);
        assertThat(tooLong.<String>path("error.message")).contains("512");
        Response onSd = given().contentType(ContentType.JSON)
                .body(BODY.formatted("demo", ", \"max_sequence_length\": 77")).post("/text-to-image");
        assertThat(onSd.statusCode()).isEqualTo(422);
        assertThat(onSd.<String>path("error.message")).contains("SD3").contains("FLUX");
    }

    @Test
    void sizesOf16AndTrueCfgOnlyOnFluxAreRefusedInWords() {
        Response r = given().contentType(ContentType.JSON)
                .body(BODY.formatted("sd3", "").replace("\"width\": 64", "\"width\": 72")).post("/text-to-image");
        assertThat(r.statusCode()).isEqualTo(422);
        assertThat(r.<String>path("error.message")).contains("multiple of 16").contains("sd3");
        Response cfg = given().contentType(ContentType.JSON)
                .body(BODY.formatted("sd3", ", \"true_cfg_scale\": 3")).post("/text-to-image");
        assertThat(cfg.statusCode()).isEqualTo(422);
        assertThat(cfg.<String>path("error.details.field")).isEqualTo("true_cfg_scale");
    }

    @ParameterizedTest
    @ValueSource(strings = {"sd3", "flux-dev"})
    void aMaskInpaintsOnTheFlowFamilies(String id) {
        byte[] white = io.qwenimage.engine.image.ImageCodec.encodePng(new io.qwenimage.engine.RgbImage(64, 64,
                filled(64 * 64 * 3)), Map.of());
        Response r = given().multiPart("image", "in.png", redCircleOnBluePng(64, 64), "image/png")
                .multiPart("mask", "mask.png", white, "image/png").multiPart("num_inference_steps", "2")
                .multiPart("prompt", "a green circle").multiPart("model", id).post("/image-to-image");
        assertThat(r.statusCode()).as(r.asString()).isEqualTo(200);
        assertThat(r.<Boolean>path("metadata.parameters.inpainting")).isTrue();
    }

    private static byte[] filled(int n) {
        byte[] b = new byte[n];
        java.util.Arrays.fill(b, (byte) 255);
        return b;
    }

    @ParameterizedTest
    @ValueSource(strings = {"sd3", "flux-dev", "flux-schnell"})
    void imageToImageOpenAiA1111AndAsyncJobsRunOnEach(String id) throws InterruptedException {
        Response img2img = given().multiPart("image", "in.png", redCircleOnBluePng(64, 64), "image/png")
                .multiPart("prompt", "a red circle").multiPart("num_inference_steps", "4")
                .multiPart("strength", "0.6").multiPart("model", id).post("/image-to-image");
        assertThat(img2img.statusCode()).as(img2img.asString()).isEqualTo(200);
        assertThat(img2img.<String>path("metadata.model")).isEqualTo(id);

        given().contentType(ContentType.JSON)
                .body("{\"prompt\": \"a red circle\", \"size\": \"64x64\", \"steps\": 2, \"model\": \"" + id + "\"}")
                .post("/v1/images/generations").then().statusCode(200);
        Response a1111 = given().contentType(ContentType.JSON)
                .body("{\"prompt\": \"a red circle\", \"width\": 64, \"height\": 64, \"steps\": 2, "
                        + "\"override_settings\": {\"sd_model_checkpoint\": \"" + id + "\"}}").post("/sdapi/v1/txt2img");
        assertThat(a1111.statusCode()).as(a1111.asString()).isEqualTo(200);
        assertThat(a1111.<String>path("info")).contains("\"sd_model_name\":\"" + id + "\"");

        String job = given().contentType(ContentType.JSON).body(BODY.formatted(id, "")).post("/jobs").then()
                .statusCode(202).extract().path("id");
        String status = "queued";
        for (int i = 0; i < 400 && !status.equals("succeeded"); i++) {
            status = given().get("/jobs/" + job).then().statusCode(200).extract().path("status");
            assertThat(status).isIn("queued", "running", "succeeded");
            Thread.sleep(25);
        }
        assertThat(status).isEqualTo("succeeded");
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        assertThat(metrics).as("jobs counted under the model").contains("qwen_jobs_total{endpoint=\"/jobs\",model=\"" + id
                + "\",outcome=\"success\"");
    }
}
