package io.qwenimage.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.qwenimage.engine.RgbImage;
import io.qwenimage.engine.image.ImageCodec;
import io.qwenimage.testing.ServiceReady;
import io.qwenimage.testing.TestImages;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Upscaling through every route on the bundled x4 upscaler: native {@code POST /upscale} (form and JSON, JSON or
 * picture bytes back), AUTOMATIC1111's extras and upscaler list and its txt2img hires fix, and the native
 * generation's {@code upscale} option; sizes past the output budget and bad factors refused before any work.
 */
@QuarkusTest
class UpscalingRoutesTest {

    static final byte[] PICTURE = TestImages.redCircleOnBluePng(64, 64);

    @BeforeEach
    void waitUntilReady() throws InterruptedException {
        ServiceReady.await();
    }

    static RgbImage decode(String base64) {
        return ImageCodec.decode(Base64.getDecoder().decode(base64), 1 << 24);
    }

    @Test
    void theNativeRouteUpscalesAFormOrJsonPicture() {
        Response r = given().multiPart("image", "in.png", PICTURE, "image/png").post("/upscale");
        assertThat(r.statusCode()).as(r.asString()).isEqualTo(200);
        RgbImage out = decode(r.path("image"));
        assertThat(out.width()).isEqualTo(256);
        assertThat(out.height()).isEqualTo(256);
        assertThat(r.<Float>path("metadata.scale")).isEqualTo(4.0f);
        assertThat(r.<String>path("metadata.upscaler")).isEqualTo("demo-upscaler");
        assertThat(r.<Integer>path("metadata.input_width")).isEqualTo(64);
        // the centre is still the red circle, the corner the blue background
        assertThat(out.at(128, 128, 0)).isGreaterThan(180);
        assertThat(out.at(4, 4, 2)).isGreaterThan(180);

        Response json = given().contentType(ContentType.JSON).body(Map.of("image",
                "data:image/png;base64," + Base64.getEncoder().encodeToString(PICTURE), "scale", 2)).post("/upscale");
        assertThat(json.statusCode()).as(json.asString()).isEqualTo(200);
        assertThat(decode(json.path("image")).width()).as("by 2: the model's x4, then down to x2").isEqualTo(128);

        byte[] raw = given().multiPart("image", "in.png", PICTURE, "image/png").multiPart("scale", "3")
                .header("Accept", "image/png").post("/upscale").then().statusCode(200)
                .contentType("image/png").extract().asByteArray();
        assertThat(ImageCodec.decode(raw, 1 << 24).width()).isEqualTo(192);
    }

    @Test
    void badFactorsAndTooLargeResultsAreRefusedBeforeAnyWork() {
        for (String scale : new String[] {"1", "9", "-2", "abc"}) {
            given().multiPart("image", "in.png", PICTURE, "image/png").multiPart("scale", scale).post("/upscale")
                    .then().statusCode(422).body("error.details.field", equalTo("scale"));
        }
        byte[] large = TestImages.redCircleOnBluePng(1100, 1100);
        given().multiPart("image", "in.png", large, "image/png").multiPart("scale", "4").post("/upscale")
                .then().statusCode(422).body("error.message", containsString("max-output-pixels"));
        given().multiPart("image", "in.png", "not a picture".getBytes(), "image/png").post("/upscale")
                .then().statusCode(415);
    }

    @Test
    void a1111ExtrasUpscaleWithTheModelOrResizeAndListTheUpscalers() {
        String b64 = Base64.getEncoder().encodeToString(PICTURE);
        List<Map<String, Object>> list = given().get("/sdapi/v1/upscalers").then().statusCode(200).extract()
                .jsonPath().getList("");
        assertThat(list).extracting(m -> m.get("name")).containsExactly("None", "Lanczos", "Nearest",
                "demo-upscaler");
        assertThat(list.get(3)).containsEntry("scale", 4);

        Response r = given().contentType(ContentType.JSON).body(Map.of("image", b64, "upscaling_resize", 2,
                "upscaler_1", "R-ESRGAN 4x+")).post("/sdapi/v1/extra-single-image");
        assertThat(r.statusCode()).as(r.asString()).isEqualTo(200);
        assertThat(decode(r.path("image")).width()).isEqualTo(128);
        assertThat(r.<String>path("html_info")).contains("demo-upscaler");

        Response sized = given().contentType(ContentType.JSON).body(Map.of("image", b64, "resize_mode", 1,
                "upscaling_resize_w", 200, "upscaling_resize_h", 100, "upscaler_1", "None"))
                .post("/sdapi/v1/extra-single-image");
        RgbImage resized = decode(sized.path("image"));
        assertThat(resized.width()).isEqualTo(200);
        assertThat(resized.height()).isEqualTo(100);

        given().contentType(ContentType.JSON).body(Map.of("image", b64, "upscaler_1", "SuperResolver 9000"))
                .post("/sdapi/v1/extra-single-image").then().statusCode(422)
                .body(containsString("demo-upscaler"));
        given().contentType(ContentType.JSON).body(Map.of("image", b64, "gfpgan_visibility", 1))
                .post("/sdapi/v1/extra-single-image").then().statusCode(422);
    }

    @Test
    void a1111HiresFixUpscalesThenRedrawsAtTheLargerSize() {
        Response r = given().contentType(ContentType.JSON).body(Map.of("prompt", "a red circle on a blue background",
                "steps", 8, "seed", 3, "enable_hr", true, "hr_scale", 2, "hr_upscaler", "demo-upscaler",
                "hr_second_pass_steps", 6, "denoising_strength", 0.5)).post("/sdapi/v1/txt2img");
        assertThat(r.statusCode()).as(r.asString()).isEqualTo(200);
        RgbImage out = decode(r.path("images[0]"));
        assertThat(out.width()).isEqualTo(128);
        assertThat(out.height()).isEqualTo(128);
        String info = r.path("info");
        assertThat(info).contains("\"hr_upscale_to_x\":128").contains("\"hr_second_pass_steps\":6");

        Response latent = given().contentType(ContentType.JSON).body(Map.of("prompt", "a red circle", "steps", 4,
                "enable_hr", true, "hr_upscaler", "Latent", "hr_resize_x", 96)).post("/sdapi/v1/txt2img");
        assertThat(latent.statusCode()).as(latent.asString()).isEqualTo(200);
        RgbImage resized = decode(latent.path("images[0]"));
        assertThat(resized.width()).isEqualTo(96);
        assertThat(resized.height()).as("the aspect kept").isEqualTo(96);

        given().contentType(ContentType.JSON).body(Map.of("prompt", "x", "enable_hr", true, "hr_scale", 100))
                .post("/sdapi/v1/txt2img").then().statusCode(422);
        given().contentType(ContentType.JSON).body(Map.of("prompt", "x", "enable_hr", true, "hr_upscaler", "nope"))
                .post("/sdapi/v1/txt2img").then().statusCode(422);
    }

    @Test
    void theNativeGenerationUpscalesItsPicturesInTheSameJob() {
        Response r = given().contentType(ContentType.JSON).body(Map.of("prompt", "a red circle on a blue background",
                "seed", 9, "upscale", 4)).post("/text-to-image");
        assertThat(r.statusCode()).as(r.asString()).isEqualTo(200);
        RgbImage out = decode(r.path("image"));
        assertThat(out.width()).isEqualTo(256);
        assertThat(r.<Integer>path("metadata.width")).isEqualTo(256);
        assertThat(r.<Float>path("metadata.upscale.factor")).isEqualTo(4.0f);
        assertThat(r.<Integer>path("metadata.upscale.generated_width")).isEqualTo(64);
        given().contentType(ContentType.JSON).body(Map.of("prompt", "x", "upscale", 9)).post("/text-to-image")
                .then().statusCode(422).body("error.details.field", equalTo("upscale"));
        given().contentType(ContentType.JSON).body(Map.of("prompt", "x", "width", 1024, "height", 1024,
                "upscale", 8)).post("/text-to-image").then().statusCode(422)
                .body("error.message", containsString("max-output-pixels"));
        Response edited = given().multiPart("image", "in.png", PICTURE, "image/png")
                .multiPart("prompt", "a green circle on a blue background").multiPart("upscale", "2")
                .multiPart("num_inference_steps", "8").post("/image-to-image");
        assertThat(edited.statusCode()).as(edited.asString()).isEqualTo(200);
        assertThat(decode(edited.path("image")).width()).as("image-to-image, upscaled by 2").isEqualTo(128);
        // and it is measured as an upscale
        given().multiPart("image", "in.png", PICTURE, "image/png").post("/upscale").then().statusCode(200);
        String metrics = given().get("/metrics").then().statusCode(200).extract().asString();
        assertThat(metrics).contains("qwen_upscale_seconds_count{outcome=\"success\"");
    }
}
