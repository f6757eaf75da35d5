package io.qwenimage.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.notNullValue;

import io.qwenimage.config.QwenConfig;
import io.qwenimage.engine.RgbImage;
import io.qwenimage.engine.image.ImageCodec;
import io.qwenimage.testing.ServiceReady;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import java.util.Base64;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The seed's JSON endpoint on the bundled demo model: pictures, raw bytes, and every validation error. */
@QuarkusTest
class TextToImageResourceTest {

    /** The queue capacity the running service was configured with (the jar IT reads config/config.yaml's). */
    protected int configuredCapacity() {
        return io.quarkus.arc.Arc.container().instance(QwenConfig.class).get().queue().capacity();
    }

    @BeforeEach
    void waitUntilReady() throws InterruptedException {
        ServiceReady.await();
    }

    @Test
    void aSeedClientGetsAPictureWithOnlyTheSeedsFields() {
        Response r = given().contentType(ContentType.JSON)
                .body("{\"prompt\": \"a red circle on a blue background\", \"width\": 64, \"height\": 64, "
                        + "\"num_inference_steps\": 12, \"guidance_scale\": 7.5}")
                .post("/text-to-image");
        r.then().statusCode(200).body("success", equalTo(true)).body("error", equalTo(null))
                .body("metadata.width", equalTo(64)).body("metadata.seed", notNullValue())
                .body("metadata.model", equalTo("demo")).body("metadata.parameters.num_inference_steps", equalTo(12));
        RgbImage img = ImageCodec.decode(Base64.getDecoder().decode(r.path("image").toString()), 1 << 20);
        assertThat(img.width()).isEqualTo(64);
        assertThat(img.height()).isEqualTo(64);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "/text-to-image | {\"prompt\": \"a red circle\", \"num_inference_steps\": 4}",
            "/sdapi/v1/txt2img | {\"prompt\": \"a red circle\", \"steps\": 4, \"width\": 64, \"height\": 64}"})
    void aPicturesAnswerLeavesWithItsLengthNotChunked(String path, String body) {
        // tens of KB of base64: in one write with its Content-Length, not in 8 KB chunks (bench/README.md § 8);
        // OpenAI's routes answer through a stream (JSON or events), which Quarkus REST always chunks
        Response r = given().contentType(ContentType.JSON).body(body).post(path);
        r.then().statusCode(200).contentType(containsString("application/json"));
        assertThat(r.header("Transfer-Encoding")).isNull();
        assertThat(r.header("Content-Length")).isEqualTo(Integer.toString(r.asByteArray().length));
        assertThat(r.asByteArray().length).isGreaterThan(8192);
    }

    @Test
    void omittedSizeIsTheModelsNativeSizeAndTheSeedMakesItRepeatable() {
        String body = "{\"prompt\": \"a green square\", \"seed\": 1234, \"num_inference_steps\": 6}";
        String a = given().contentType(ContentType.JSON).body(body).post("/text-to-image")
                .then().statusCode(200).body("metadata.width", equalTo(64)).body("metadata.seed", equalTo(1234))
                .extract().path("image");
        String b = given().contentType(ContentType.JSON).body(body).post("/text-to-image")
                .then().statusCode(200).extract().path("image");
        assertThat(a).isEqualTo(b);
    }

    @Test
    void severalImagesComeWithTheirSeeds() {
        given().contentType(ContentType.JSON)
                .body("{\"prompt\": \"a white triangle\", \"seed\": 7, \"num_images\": 2, \"num_inference_steps\": 4}")
                .post("/text-to-image")
                .then().statusCode(200).body("images.size()", equalTo(2)).body("metadata.seeds", hasItem(8));
    }

    @Test
    void acceptImagePngReturnsTheBytesWithTheSeedInAHeader() {
        Response r = given().contentType(ContentType.JSON).accept("image/png")
                .body("{\"prompt\": \"a black circle\", \"seed\": 99, \"num_inference_steps\": 4}")
                .post("/text-to-image");
        r.then().statusCode(200).contentType("image/png").header("X-Seed", "99");
        assertThat(ImageCodec.readPngText(r.asByteArray()).get("parameters")).contains("Seed: 99");
        given().contentType(ContentType.JSON).accept("image/jpeg")
                .body("{\"prompt\": \"a black circle\", \"num_inference_steps\": 4}")
                .post("/text-to-image").then().statusCode(200).contentType("image/jpeg");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "{\"prompt\": \"\"}|422|prompt must not be empty",
        "{\"width\": 64}|422|prompt must not be empty",
        "{\"prompt\": \"x\", \"width\": 4000}|422|width must be between",
        "{\"prompt\": \"x\", \"width\": 2048, \"height\": 2048}|422|pixels",
        "{\"prompt\": \"x\", \"num_inference_steps\": 0}|422|num_inference_steps must be between 1",
        "{\"prompt\": \"x\", \"guidance_scale\": 99}|422|guidance_scale",
        "{\"prompt\": \"x\", \"true_cfg_scale\": 4}|422|true_cfg_scale is the Qwen-Image family's guidance",
        "{\"prompt\": \"x\", \"max_sequence_length\": 64}|422|max_sequence_length applies to Qwen-Image, SD3 and FLUX models",
        "{\"prompt\": \"x\", \"num_images\": 50}|422|num_images",
        "{\"prompt\": \"x\", \"scheduler\": \"k_lms\"}|422|unknown scheduler 'k_lms'",
        "{\"prompt\": \"x\", \"output_format\": \"gif\"}|422|output_format must be png or jpeg",
        "{\"prompt\": \"x\", \"width\": \"wide\"}|422|field 'width' has the wrong type",
        "{\"prompt\": |400|not valid JSON",
    })
    void badRequestsGetTheErrorEnvelope(String body, int status, String message) {
        given().contentType(ContentType.JSON).body(body).post("/text-to-image")
                .then().statusCode(status).body("success", equalTo(false))
                .body("error.code", equalTo("VALIDATION_ERROR")).body("error.message", containsString(message))
                .body("error.details.path", equalTo("/text-to-image"));
    }

    @Test
    void aTooLongPromptIsRefused() {
        given().contentType(ContentType.JSON).body("{\"prompt\": \"" + "a".repeat(1001) + "\"}")
                .post("/text-to-image").then().statusCode(422).body("error.details.field", equalTo("prompt"));
    }

    @Test
    void theWrongContentTypeIs415() {
        given().contentType(ContentType.TEXT).body("prompt=x").post("/text-to-image")
                .then().statusCode(415).body("error.code", equalTo("UNSUPPORTED_MEDIA_TYPE"));
    }

    @Test
    void infoAndHealthSpeakTheSeedsLanguage() {
        given().get("/info").then().statusCode(200).body("service_name", equalTo("qwen-image-api-service"))
                .body("model_info.native_size", equalTo(64)).body("schedulers", hasItem("dpmpp_2m_karras"))
                .body("queue.capacity", equalTo(configuredCapacity()));
        given().get("/health").then().statusCode(200).body("status", equalTo("UP"))
                .body("model_loaded", equalTo(true));
        given().get("/").then().statusCode(200).body("health", equalTo("/health")).body("info", equalTo("/info"));
        given().get("/q/health/ready").then().statusCode(200);
        given().get("/q/health/started").then().statusCode(200);
        given().get("/q/health/live").then().statusCode(200);
    }
}
