package io.qwenimage.api;

import static io.qwenimage.testing.TestImages.redCircleOnBluePng;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.qwenimage.engine.DemoPictureJudge;
import io.qwenimage.engine.RgbImage;
import io.qwenimage.engine.image.ImageCodec;
import io.qwenimage.testing.ServiceReady;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every route on the Qwen-Image demo model (models/demo-qwen): native text-to-image and image-to-image with
 * {@code true_cfg_scale}, OpenAI, AUTOMATIC1111, async jobs, /info; pictures judged as the model card judges them.
 */
@QuarkusTest
@TestProfile(QwenImageRoutesTest.QwenDemo.class)
class QwenImageRoutesTest {

    /** The service on the Qwen demo model. */
    public static class QwenDemo implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("qwen.model.path", "models/demo-qwen", "qwen.generation.num-inference-steps", "20");
        }
    }

    static final String RED_ON_BLUE = "a red circle on a blue background";

    @BeforeEach
    void waitUntilReady() throws InterruptedException {
        ServiceReady.await();
    }

    static Response post(String path, String body) {
        return given().contentType(ContentType.JSON).body(body).post(path);
    }

    static RgbImage picture(String base64) {
        return ImageCodec.decode(Base64.getDecoder().decode(base64), 1 << 22);
    }

    static void assertColours(RgbImage image, String foreground, String background) {
        DemoPictureJudge.Verdict v = DemoPictureJudge.judge(image);
        assertThat(v.foreground()).as("foreground").isEqualTo(foreground);
        assertThat(v.background()).as("background").isEqualTo(background);
    }

    @Test
    void infoDescribesTheFamilyItsSizesGuidanceAndScheduler() {
        given().get("/info").then().statusCode(200)
                .body("model_info.family", equalTo("qwen-image"))
                .body("model_info.pipeline", equalTo("qwen-image"))
                .body("model_info.prediction_type", equalTo("flow"))
                .body("model_info.native_size", equalTo(64))
                .body("model_info.size_multiple", equalTo(16))
                .body("model_info.image_to_image", equalTo(true))
                .body("model_info.guidance.parameter", equalTo("true_cfg_scale"))
                .body("model_info.guidance.default", equalTo(4.0f))
                .body("schedulers", contains("flow_match_euler"))
                .body("default_scheduler", equalTo("flow_match_euler"));
        given().get("/sdapi/v1/samplers").then().statusCode(200).body("name", contains("Flow Match Euler"));
    }

    @Test
    void textToImageDrawsEnglishAndChinesePromptsWithTrueCfg() {
        Response en = post("/text-to-image", "{\"prompt\": \"" + RED_ON_BLUE + "\", \"true_cfg_scale\": 4, "
                + "\"seed\": 7}");
        en.then().statusCode(200).body("metadata.parameters.true_cfg_scale", equalTo(4.0f))
                .body("metadata.parameters.scheduler", equalTo("flow_match_euler"))
                .body("metadata.width", equalTo(64));
        assertColours(picture(en.path("image")), "red", "blue");
        Response zh = post("/text-to-image", "{\"prompt\": \"蓝色背景上的红色圆形\", \"seed\": 7}");
        zh.then().statusCode(200).body("metadata.parameters.true_cfg_scale", equalTo(4.0f));
        assertColours(picture(zh.path("image")), "red", "blue");
        Response other = post("/text-to-image", "{\"prompt\": \"a green square on a white background\", "
                + "\"seed\": 7, \"width\": 96, \"height\": 64}");
        RgbImage wide = picture(other.path("image"));
        assertThat(wide.width()).isEqualTo(96);
        assertThat(wide.height()).isEqualTo(64);
    }

    @Test
    void guidanceScaleStandsInForTrueCfgScaleAndOneTurnsItOff() {
        String base = "{\"prompt\": \"" + RED_ON_BLUE + "\", \"seed\": 11, \"num_inference_steps\": 8, ";
        String viaTrueCfg = post("/text-to-image", base + "\"true_cfg_scale\": 3}").path("image");
        String viaGuidance = post("/text-to-image", base + "\"guidance_scale\": 3}").path("image");
        String bothGiven = post("/text-to-image", base + "\"guidance_scale\": 9, \"true_cfg_scale\": 3}")
                .path("image");
        String off = post("/text-to-image", base + "\"true_cfg_scale\": 1}").path("image");
        assertThat(viaGuidance).isEqualTo(viaTrueCfg);
        assertThat(bothGiven).isEqualTo(viaTrueCfg);
        assertThat(off).isNotEqualTo(viaTrueCfg);
    }

    @Test
    void sizesThatAreNotMultiplesOf16AndOtherSchedulersAre422() {
        post("/text-to-image", "{\"prompt\": \"a red circle\", \"width\": 72, \"height\": 64}").then()
                .statusCode(422).body("error.code", equalTo("VALIDATION_ERROR"))
                .body("error.details.field", equalTo("width")).body("error.details.multiple_of", equalTo(16))
                .body("error.message", containsString("try 64 or 80"));
        post("/text-to-image", "{\"prompt\": \"a red circle\", \"scheduler\": \"euler\"}").then().statusCode(422)
                .body("error.details.field", equalTo("scheduler"))
                .body("error.message", containsString("flow_match_euler"));
        post("/text-to-image", "{\"prompt\": \"a red circle\", \"true_cfg_scale\": 31}").then().statusCode(422)
                .body("error.details.field", equalTo("true_cfg_scale"));
    }

    @Test
    void aMaskRepaintsOnlyWhereItIsWhiteOnQwenImage() {
        RgbImage before = ImageCodec.decode(redCircleOnBluePng(64, 64), 1 << 20);
        Response r = given().multiPart("image", "in.png", redCircleOnBluePng(64, 64), "image/png")
                .multiPart("mask", "mask.png", io.qwenimage.testing.TestImages.circleMaskPng(false), "image/png")
                .multiPart("prompt", "a green circle on a blue background").multiPart("seed", "4")
                .multiPart("num_inference_steps", "8").post("/image-to-image");
        assertThat(r.statusCode()).as(r.asString()).isEqualTo(200);
        assertThat(r.<Boolean>path("metadata.parameters.inpainting")).isTrue();
        RgbImage after = ImageCodec.decode(java.util.Base64.getDecoder().decode(r.<String>path("image")), 1 << 20);
        int worstOutside = 0;
        int changedInside = 0;
        for (int y = 0; y < 64; y++) {
            for (int x = 0; x < 64; x++) {
                int diff = 0;
                for (int c = 0; c < 3; c++) {
                    diff = Math.max(diff, Math.abs(after.at(x, y, c) - before.at(x, y, c)));
                }
                if (io.qwenimage.testing.TestImages.inMaskCircle(x, y)) {
                    changedInside += diff > 8 ? 1 : 0;
                } else {
                    worstOutside = Math.max(worstOutside, diff);
                }
            }
        }
        assertThat(worstOutside).as("outside the mask: as sent").isLessThanOrEqualTo(1);
        assertThat(changedInside).as("pixels repainted inside").isGreaterThan(100);
    }

    @Test
    void imageToImageKeepsTheInputsBackgroundAndSnapsItsSizeTo16() {
        byte[] input = redCircleOnBluePng(72, 72);
        Response r = given().multiPart("image", "in.png", input, "image/png")
                .multiPart("prompt", "a yellow circle on a blue background").multiPart("strength", "0.6")
                .multiPart("true_cfg_scale", "4").multiPart("seed", "3").post("/image-to-image");
        r.then().statusCode(200).body("metadata.width", equalTo(64)).body("metadata.height", equalTo(64))
                .body("metadata.parameters.strength", equalTo(0.6f));
        assertThat(DemoPictureJudge.judge(picture(r.path("image"))).background()).isEqualTo("blue");
    }

    @Test
    void openAiAndAutomatic1111RoutesDrawTheSamePictureForTheSameSettings() throws Exception {
        Response openai = post("/v1/images/generations", "{\"prompt\": \"" + RED_ON_BLUE + "\", \"size\": "
                + "\"64x64\", \"response_format\": \"b64_json\", \"seed\": 21, \"guidance_scale\": 4}");
        openai.then().statusCode(200);
        String viaOpenAi = openai.path("data[0].b64_json");
        assertColours(picture(viaOpenAi), "red", "blue");
        Response a1111 = post("/sdapi/v1/txt2img", "{\"prompt\": \"" + RED_ON_BLUE + "\", \"width\": 64, "
                + "\"height\": 64, \"seed\": 21, \"cfg_scale\": 4, \"steps\": 20, \"sampler_name\": \"Euler\"}");
        a1111.then().statusCode(200);
        JsonNode info = new ObjectMapper().readTree(a1111.<String>path("info"));
        assertThat(info.get("sampler_name").asText()).isEqualTo("Flow Match Euler");
        assertThat(info.get("cfg_scale").asDouble()).isEqualTo(4.0);
        RgbImage viaA1111 = picture(a1111.<List<String>>path("images").get(0));
        RgbImage native_ = picture(post("/text-to-image", "{\"prompt\": \"" + RED_ON_BLUE + "\", \"seed\": 21, "
                + "\"true_cfg_scale\": 4}").path("image"));
        assertThat(viaA1111.rgb()).isEqualTo(native_.rgb());
        assertThat(picture(viaOpenAi).rgb()).isEqualTo(native_.rgb());
    }

    @Test
    void asyncJobsReportProgressOverEverySteps() throws Exception {
        String id = post("/jobs", "{\"prompt\": \"" + RED_ON_BLUE + "\", \"num_inference_steps\": 6, \"seed\": 2}")
                .then().statusCode(202).extract().path("id");
        JsonNode job = null;
        for (int i = 0; i < 300; i++) {
            job = new ObjectMapper().readTree(given().get("/jobs/" + id).then().statusCode(200).extract().asString());
            if (job.path("status").asText().equals("succeeded")) {
                break;
            }
            Thread.sleep(50);
        }
        assertThat(job.path("status").asText()).isEqualTo("succeeded");
        assertThat(job.path("total_steps").asInt()).isEqualTo(6);
    }

    @Test
    void maxSequenceLengthCutsTheEncodedPromptAndSaysWhatWasLeftOut() {
        Response cut = post("/text-to-image", "{\"prompt\": \"" + RED_ON_BLUE + "\", \"seed\": 4, "
                + "\"num_inference_steps\": 6, \"max_sequence_length\": 3}");
        cut.then().statusCode(200).body("metadata.prompt_truncated", equalTo(" on a blue background"));
        Response whole = post("/text-to-image", "{\"prompt\": \"" + RED_ON_BLUE + "\", \"seed\": 4, "
                + "\"num_inference_steps\": 6, \"max_sequence_length\": 1024}");
        assertThat(whole.<String>path("metadata.prompt_truncated")).isNull();
        assertThat(whole.<String>path("image")).isNotEqualTo(cut.path("image"));
        post("/text-to-image", "{\"prompt\": \"x\", \"max_sequence_length\": 1025}").then().statusCode(422)
                .body("error.details.field", equalTo("max_sequence_length"));
    }

    @Test
    void metricsCountTheFamilysGenerationsAndSteps() {
        post("/text-to-image", "{\"prompt\": \"a red circle\", \"num_inference_steps\": 3, \"seed\": 1}").then()
                .statusCode(200);
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        assertThat(metrics).contains("qwen_generation_duration_seconds_count{endpoint=\"/text-to-image\","
                + "model=\"demo-qwen\",scheduler=\"flow_match_euler\",size=\"le256\"}")
                .contains("qwen_generation_step_seconds_count{model=\"demo-qwen\",scheduler=\"flow_match_euler\","
                        + "size=\"le256\"}");
    }
}
