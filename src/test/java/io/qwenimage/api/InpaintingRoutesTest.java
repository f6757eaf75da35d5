package io.qwenimage.api;

import static io.qwenimage.testing.TestImages.redCircleOnBluePng;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import io.qwenimage.engine.RgbImage;
import io.qwenimage.engine.image.ImageCodec;
import io.qwenimage.testing.ServiceReady;
import io.qwenimage.testing.TestImages;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Base64;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Inpainting through every API on the demo model: the native image-to-image with a mask file or base64 mask, OpenAI's
 * edits with a transparent-where-to-edit mask (and its 400 for a mask of another size), A1111's img2img with
 * {@code mask}, {@code inpainting_mask_invert}, {@code mask_blur} and {@code inpainting_fill}. Each time the pixels
 * outside the mask come back as they were sent, those inside change.
 */
@QuarkusTest
class InpaintingRoutesTest {

    static final byte[] PICTURE = redCircleOnBluePng(64, 64);
    /** The circle of the picture (it spans 16..48), grown by 3 pixels: white on black. */
    static final byte[] CIRCLE_MASK = TestImages.circleMaskPng(false);
    /** The same region, transparent in an opaque picture: OpenAI's convention. */
    static final byte[] CIRCLE_TRANSPARENT = TestImages.circleMaskPng(true);

    @BeforeEach
    void waitUntilReady() throws InterruptedException {
        ServiceReady.await();
    }

    @Test
    void theNativeRouteRepaintsOnlyWhereTheMaskIsWhite() {
        Response r = given().multiPart("image", "in.png", PICTURE, "image/png")
                .multiPart("mask", "mask.png", CIRCLE_MASK, "image/png")
                .multiPart("prompt", "a green circle on a blue background").multiPart("num_inference_steps", "8")
                .multiPart("seed", "4").post("/image-to-image");
        assertThat(r.statusCode()).as(r.asString()).isEqualTo(200);
        assertThat(r.<Boolean>path("metadata.parameters.inpainting")).isTrue();
        assertThat(r.<Float>path("metadata.parameters.strength")).as("inpainting's default").isEqualTo(1.0f);
        assertKeptOutsideAndChangedInside(decode(r.path("image")), false);

        String json = "{\"image\": \"" + b64(PICTURE) + "\", \"mask\": \"" + b64(CIRCLE_MASK) + "\", \"prompt\": "
                + "\"a green circle on a blue background\", \"num_inference_steps\": 8, \"seed\": 4}";
        Response viaJson = given().contentType(ContentType.JSON).body(json).post("/image-to-image");
        assertThat(viaJson.statusCode()).as(viaJson.asString()).isEqualTo(200);
        assertThat(viaJson.<String>path("image")).as("the same request as JSON").isEqualTo(r.<String>path("image"));
    }

    @Test
    void aMaskThatMarksNothingOrAMaskOnAQwenModelIsRefusedInWords() {
        byte[] black = ImageCodec.encodePng(new RgbImage(64, 64, new byte[64 * 64 * 3]), Map.of());
        Response r = given().multiPart("image", "in.png", PICTURE, "image/png")
                .multiPart("mask", "mask.png", black, "image/png").multiPart("prompt", "a green circle")
                .post("/image-to-image");
        assertThat(r.statusCode()).isEqualTo(422);
        assertThat(r.<String>path("error.details.field")).isEqualTo("mask");
        assertThat(r.<String>path("error.message")).contains("nothing to repaint");
        Response blur = given().multiPart("image", "in.png", PICTURE, "image/png").multiPart("prompt", "a circle")
                .multiPart("mask_blur", "4").post("/image-to-image");
        assertThat(blur.statusCode()).isEqualTo(422);
        assertThat(blur.<String>path("error.details.field")).isEqualTo("mask_blur");
    }

    @Test
    void openAiEditsRepaintTheTransparentPixelsAndRefuseAMaskOfAnotherSize() {
        Response r = given().multiPart("image", "in.png", PICTURE, "image/png")
                .multiPart("mask", "mask.png", CIRCLE_TRANSPARENT, "image/png")
                .multiPart("prompt", "a green circle on a blue background").multiPart("seed", "4")
                .post("/v1/images/edits");
        assertThat(r.statusCode()).as(r.asString()).isEqualTo(200);
        assertKeptOutsideAndChangedInside(decode(r.path("data[0].b64_json")), false);

        Response wrongSize = given().multiPart("image", "in.png", PICTURE, "image/png")
                .multiPart("mask", "mask.png", redCircleOnBluePng(32, 32), "image/png")
                .multiPart("prompt", "a green circle").post("/v1/images/edits");
        assertThat(wrongSize.statusCode()).isEqualTo(400);
        assertThat(wrongSize.<String>path("error.type")).isEqualTo("invalid_request_error");
        assertThat(wrongSize.<String>path("error.param")).isEqualTo("mask");
        assertThat(wrongSize.<String>path("error.message")).contains("same size");
    }

    @Test
    void a1111InpaintsWithItsMaskFieldsAndOnlyMaskedMode() {
        String base = "{\"init_images\": [\"" + b64(PICTURE) + "\"], \"mask\": \"" + b64(CIRCLE_MASK) + "\", "
                + "\"prompt\": \"a green circle on a blue background\", \"steps\": 8, \"seed\": 4, "
                + "\"denoising_strength\": 1.0, \"mask_blur\": 0%s}";
        Response r = given().contentType(ContentType.JSON).body(base.formatted("")).post("/sdapi/v1/img2img");
        assertThat(r.statusCode()).as(r.asString()).isEqualTo(200);
        assertKeptOutsideAndChangedInside(decode(r.path("images[0]")), false);
        assertThat(r.<String>path("info")).contains("\"mask_blur\":0").contains("\"inpainting_fill\":1");

        Response inverted = given().contentType(ContentType.JSON)
                .body(base.formatted(", \"inpainting_mask_invert\": 1")).post("/sdapi/v1/img2img");
        assertThat(inverted.statusCode()).as(inverted.asString()).isEqualTo(200);
        assertKeptOutsideAndChangedInside(decode(inverted.path("images[0]")), true);

        for (int fill : new int[] {0, 2, 3}) {
            Response filled = given().contentType(ContentType.JSON)
                    .body(base.formatted(", \"inpainting_fill\": " + fill)).post("/sdapi/v1/img2img");
            assertThat(filled.statusCode()).as("inpainting_fill " + fill + ": " + filled.asString()).isEqualTo(200);
            assertKeptOutsideAndChangedInside(decode(filled.path("images[0]")), false);
        }
        // "only masked": the box around the mask (padding 4) inpainted at 64x64, pasted back into the picture
        Response onlyMasked = given().contentType(ContentType.JSON)
                .body(base.formatted(", \"inpaint_full_res\": true, \"inpaint_full_res_padding\": 4, "
                        + "\"width\": 64, \"height\": 64")).post("/sdapi/v1/img2img");
        assertThat(onlyMasked.statusCode()).as(onlyMasked.asString()).isEqualTo(200);
        assertKeptOutsideAndChangedInside(decode(onlyMasked.path("images[0]")), false);
        given().contentType(ContentType.JSON).body(base.formatted(", \"inpaint_full_res\": true, "
                + "\"inpaint_full_res_padding\": -1")).post("/sdapi/v1/img2img").then().statusCode(422);
        Response badFill = given().contentType(ContentType.JSON)
                .body(base.formatted(", \"inpainting_fill\": 7")).post("/sdapi/v1/img2img");
        assertThat(badFill.statusCode()).isEqualTo(422);
    }

    /** Outside the (possibly inverted) circle region: as sent within one level; inside: many pixels changed. */
    private static void assertKeptOutsideAndChangedInside(RgbImage after, boolean inverted) {
        RgbImage before = ImageCodec.decode(PICTURE, 1 << 20);
        int worstKept = 0;
        int changed = 0;
        for (int y = 0; y < 64; y++) {
            for (int x = 0; x < 64; x++) {
                boolean repainted = inCircle(x, y) != inverted;
                int diff = 0;
                for (int c = 0; c < 3; c++) {
                    diff = Math.max(diff, Math.abs(after.at(x, y, c) - before.at(x, y, c)));
                }
                if (repainted) {
                    changed += diff > 30 ? 1 : 0;
                } else {
                    worstKept = Math.max(worstKept, diff);
                }
            }
        }
        assertThat(worstKept).as("largest change outside the mask, in levels").isLessThanOrEqualTo(1);
        assertThat(changed).as("pixels repainted inside the mask").isGreaterThan(100);
    }

    static boolean inCircle(int x, int y) {
        return TestImages.inMaskCircle(x, y);
    }


    private static RgbImage decode(String base64) {
        return ImageCodec.decode(Base64.getDecoder().decode(base64), 1 << 20);
    }

    private static String b64(byte[] bytes) {
        return Base64.getEncoder().encodeToString(bytes);
    }
}
