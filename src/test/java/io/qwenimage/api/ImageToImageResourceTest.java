package io.qwenimage.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static io.qwenimage.testing.TestImages.redCircleOnBluePng;

import io.qwenimage.engine.ImageTensors;
import io.qwenimage.engine.RgbImage;
import io.qwenimage.engine.image.ImageCodec;
import io.qwenimage.testing.ServiceReady;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** POST /image-to-image, multipart (the seed's form) and JSON, and its upload errors. */
@QuarkusTest
class ImageToImageResourceTest {

    @BeforeEach
    void waitUntilReady() throws InterruptedException {
        ServiceReady.await();
    }

    @Test
    void theSeedsMultipartFormWorks() {
        String image = given().multiPart("image", "in.png", redCircleOnBluePng(96, 96), "image/png")
                .multiPart("prompt", "a red circle on a blue background").multiPart("strength", "0.5")
                .multiPart("width", "64").multiPart("height", "64").multiPart("num_inference_steps", "10")
                .post("/image-to-image")
                .then().statusCode(200).body("success", equalTo(true))
                .body("metadata.input_image.original_width", equalTo(96))
                .body("metadata.parameters.strength", equalTo(0.5f))
                .extract().path("image");
        RgbImage out = ImageCodec.decode(Base64.getDecoder().decode(image), 1 << 20);
        assertThat(out.width()).isEqualTo(64);
    }

    @Test
    void withoutASizeTheInputsSizeIsUsed() {
        given().multiPart("image", "in.png", redCircleOnBluePng(80, 72), "image/png")
                .multiPart("prompt", "a red circle").multiPart("num_inference_steps", "4")
                .post("/image-to-image")
                .then().statusCode(200).body("metadata.width", equalTo(80)).body("metadata.height", equalTo(72));
    }

    @Test
    void aPictureSmallerThanTheMinimumIsGeneratedAtTheSmallestSizeThatReachesIt() {
        // 48x32 is under the 64 minimum: 96x64 keeps the 3:2 ratio in multiples of 8
        given().multiPart("image", "icon.png", redCircleOnBluePng(48, 32), "image/png")
                .multiPart("prompt", "a red circle").multiPart("num_inference_steps", "2")
                .post("/image-to-image")
                .then().statusCode(200).body("metadata.width", equalTo(96)).body("metadata.height", equalTo(64))
                .body("metadata.input_image.original_width", equalTo(48));
    }

    @Test
    void aPictureLargerThanTheLimitsIsGeneratedAtTheLargestSizeThatFits() {
        // 3000x2000 = 6 M pixels; the budget is 1 M: 1248x832 keeps the 3:2 ratio in multiples of 8
        given().multiPart("image", "photo.png", redCircleOnBluePng(3000, 2000), "image/png")
                .multiPart("prompt", "a red circle").multiPart("num_inference_steps", "1")
                .multiPart("strength", "1.0").post("/image-to-image")
                .then().statusCode(200).body("metadata.width", equalTo(1248)).body("metadata.height", equalTo(832))
                .body("metadata.input_image.original_width", equalTo(3000));
    }

    @Test
    void jsonWithABase64DataUrlWorks() {
        String data = "data:image/png;base64," + Base64.getEncoder().encodeToString(redCircleOnBluePng(64, 64));
        given().contentType(ContentType.JSON)
                .body(Map.of("image", data, "prompt", "a red circle", "strength", 0.6, "num_inference_steps", 10))
                .post("/image-to-image").then().statusCode(200).body("success", equalTo(true));
    }

    @Test
    void uploadErrorsAreNamed() {
        given().multiPart("prompt", "x").post("/image-to-image")
                .then().statusCode(422).body("error.details.field", equalTo("image"));
        given().multiPart("image", "notes.txt", "hello".getBytes(), "text/plain").multiPart("prompt", "x")
                .post("/image-to-image")
                .then().statusCode(415).body("error.code", equalTo("UNSUPPORTED_MEDIA_TYPE"))
                .body("error.message", containsString("not a PNG, JPEG, WebP, BMP or GIF"));
        byte[] png = redCircleOnBluePng(64, 64);
        given().multiPart("image", "cut.png", java.util.Arrays.copyOf(png, png.length / 2), "image/png")
                .multiPart("prompt", "x").post("/image-to-image")
                .then().statusCode(400).body("error.code", equalTo("INVALID_IMAGE"));
        given().multiPart("image", "in.png", png, "image/png").multiPart("prompt", "x")
                .multiPart("strength", "lots").post("/image-to-image")
                .then().statusCode(422).body("error.message", containsString("strength must be a number"));
        given().multiPart("image", "in.png", png, "image/png").multiPart("prompt", "x")
                .multiPart("strength", "0.1").multiPart("num_inference_steps", "5").post("/image-to-image")
                .then().statusCode(422).body("error.message", containsString("num_inference_steps x strength"));
        given().contentType(ContentType.JSON).body(Map.of("image", "!!!", "prompt", "x"))
                .post("/image-to-image").then().statusCode(422).body("error.message", containsString("base64"));
    }

    /** Issue 17: the async job of an image-to-image request reports the steps diffusers would run. */
    @Test
    void anImageToImageJobReportsTheStepsDiffusersRuns() throws InterruptedException {
        assertThat(finishedJobSteps("lcm", 4, "0.6")).as("LCM: strength inside its timesteps, all 4 run")
                .isEqualTo(4);
        assertThat(finishedJobSteps("euler", 20, "0.6")).as("Euler: the last int(20 x 0.6) steps").isEqualTo(12);
    }

    private static int finishedJobSteps(String scheduler, int steps, String strength) throws InterruptedException {
        String id = given().multiPart("image", "in.png", redCircleOnBluePng(64, 64), "image/png")
                .multiPart("prompt", "a red circle").multiPart("scheduler", scheduler)
                .multiPart("num_inference_steps", String.valueOf(steps)).multiPart("strength", strength)
                .multiPart("seed", "3").post("/jobs").then().statusCode(202).extract().path("id");
        for (int i = 0; i < 400; i++) {
            var doc = given().get("/jobs/" + id).then().statusCode(200).extract();
            if ("succeeded".equals(doc.path("status"))) {
                return doc.path("total_steps");
            }
            assertThat(doc.<String>path("status")).isIn("queued", "running");
            Thread.sleep(25);
        }
        throw new AssertionError("job " + id + " did not finish");
    }

    /** Issue 17: what diffusers refuses is a 422 that says why, not a silently different schedule. */
    @Test
    void anLcmScheduleDiffusersRefusesIsA422ThatSaysWhy() {
        given().multiPart("image", "in.png", redCircleOnBluePng(64, 64), "image/png").multiPart("prompt", "x")
                .multiPart("scheduler", "lcm").multiPart("num_inference_steps", "50").multiPart("strength", "0.6")
                .post("/image-to-image").then().statusCode(422).body("error.details.field", equalTo("strength"))
                .body("error.message", containsString("smaller than num_inference_steps (50)"));
        given().contentType(ContentType.JSON).body(Map.of("prompt", "x", "scheduler", "lcm", "num_inference_steps",
                        51)).post("/text-to-image").then().statusCode(422)
                .body("error.details.field", equalTo("num_inference_steps"))
                .body("error.message", containsString("original_inference_steps (50)"));
    }

    @Test
    void aPictureDeclaringTooManyPixelsIsRefusedBeforeDecoding() {
        byte[] bomb = io.qwenimage.testing.TestImages.pngHeaderOnly(100_000, 100_000);
        given().multiPart("image", "bomb.png", bomb, "image/png").multiPart("prompt", "x")
                .post("/image-to-image")
                .then().statusCode(413).body("error.code", equalTo("FILE_TOO_LARGE"))
                .body("error.message", containsString("100000x100000"));
    }
}
