package io.qwenimage.hostile;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.lessThan;

import io.qwenimage.testing.LogCapture;
import io.qwenimage.testing.ServiceReady;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.hamcrest.Matcher;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * With {@code qwen.log.prompts=false} (the default), no log line at any level carries a prompt or any of its
 * words: not the truncation warning, not an error, not a refused request, on any route and in any encoding.
 */
@QuarkusTest
@TestProfile(PromptPrivacyTest.VerboseLogs.class)
class PromptPrivacyTest {

    /** Everything of ours at DEBUG, so that a prompt in a debug line is caught too. */
    public static class VerboseLogs implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.log.category.\"io.qwenimage\".level", "DEBUG", "qwen.log.prompts", "false");
        }
    }

    static final List<String> SECRET_WORDS = List.of("zebracorn", "quixotical", "marmalade42");

    /** Well over CLIP's 77 tokens, so that the end is dropped and the truncation warning fires. */
    static final String LONG_PROMPT = ("a painting of a " + String.join(" ", SECRET_WORDS) + " ").repeat(12).trim();

    static final Matcher<Integer> REFUSED = allOf(greaterThanOrEqualTo(400), lessThan(500));

    @BeforeEach
    void waitUntilReady() throws InterruptedException {
        ServiceReady.await();
    }

    @Test
    void noPromptWordReachesAnyLogLine() {
        try (LogCapture log = LogCapture.start()) {
            String json = "{\"prompt\": \"" + LONG_PROMPT + "\", \"num_inference_steps\": 2, \"seed\": 1}";
            given().contentType(ContentType.JSON).body(json).post("/text-to-image").then().statusCode(200);
            given().contentType(ContentType.JSON).body("{\"prompt\": \"" + LONG_PROMPT + "\", \"n\": 1, "
                    + "\"size\": \"64x64\"}").post("/v1/images/generations").then().statusCode(200);
            given().contentType(ContentType.JSON).body("{\"prompt\": \"" + LONG_PROMPT + "\", \"steps\": 2, "
                    + "\"width\": 64, \"height\": 64}").post("/sdapi/v1/txt2img").then().statusCode(200);
            // refused requests: a control character, a broken body, a prompt over the length limit
            given().contentType(ContentType.JSON).body("{\"prompt\": \"zebracorn\\u0007\"}").post("/text-to-image")
                    .then().statusCode(REFUSED);
            given().contentType(ContentType.JSON).body("{\"prompt\": zebracorn quixotical}").post("/text-to-image")
                    .then().statusCode(REFUSED);
            given().contentType(ContentType.JSON).body("{\"prompt\": \"" + "zebracorn ".repeat(500) + "\"}")
                    .post("/text-to-image").then().statusCode(REFUSED);
            given().multiPart("prompt", LONG_PROMPT).multiPart("num_inference_steps", "oops")
                    .post("/image-to-image").then().statusCode(REFUSED);

            assertThat(log.lines()).as("the truncation warning fired").anyMatch(l -> l.contains("longer than 77"));
            for (String line : log.lines()) {
                for (String word : SECRET_WORDS) {
                    assertThat(line.toLowerCase(Locale.ROOT)).as("a log line").doesNotContain(word);
                }
            }
        }
    }
}
