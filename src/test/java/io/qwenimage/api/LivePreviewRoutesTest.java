package io.qwenimage.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.qwenimage.engine.RgbImage;
import io.qwenimage.engine.image.ImageCodec;
import io.qwenimage.testing.ServiceReady;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Live previews through every API on the demo model: OpenAI's streamed generations and edits ({@code stream},
 * {@code partial_images}: partial-image events, then the completed picture, the same one a plain request gets),
 * our job progress stream with {@code ?preview=true} (and none without), and A1111's {@code current_image}.
 */
@QuarkusTest
class LivePreviewRoutesTest {

    static final ObjectMapper JSON = new ObjectMapper();

    @ConfigProperty(name = "quarkus.http.test-port")
    int port;

    @BeforeEach
    void waitUntilReady() throws InterruptedException {
        ServiceReady.await();
    }

    /** One server-sent event: its name and its data parsed. */
    record Event(String name, JsonNode data) {
    }

    List<Event> events(HttpRequest request) throws Exception {
        HttpResponse<java.io.InputStream> r = HttpClient.newHttpClient().send(request,
                HttpResponse.BodyHandlers.ofInputStream());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type").orElse("")).startsWith("text/event-stream");
        List<Event> events = new ArrayList<>();
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
            String name = null;
            String line;
            while ((line = reader.readLine()) != null) {
                if (line.startsWith("event:")) {
                    name = line.substring(6).trim();
                } else if (line.startsWith("data:")) {
                    events.add(new Event(name, JSON.readTree(line.substring(5).trim())));
                }
            }
        }
        return events;
    }

    static RgbImage picture(String base64) {
        return ImageCodec.decode(Base64.getDecoder().decode(base64), 1 << 24);
    }

    /** qwen_jobs_total of OpenAI's generations that succeeded. */
    static double generationsCounted() {
        return given().get("/metrics").asString().lines()
                .filter(l -> l.startsWith("qwen_jobs_total{endpoint=\"/v1/images/generations\",model=\"demo\","
                        + "outcome=\"success\""))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    @Test
    void openAiStreamsPartialImagesThenTheSamePictureAPlainRequestGets() throws Exception {
        double countedBefore = generationsCounted();
        String body = "{\"prompt\": \"a red circle on a blue background\", \"size\": \"64x64\", \"seed\": 7, "
                + "\"steps\": 20, \"stream\": true, \"partial_images\": 2}";
        List<Event> events = events(HttpRequest.newBuilder(URI.create("http://localhost:" + port
                + "/v1/images/generations")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build());
        assertThat(events).extracting(Event::name).containsExactly("image_generation.partial_image",
                "image_generation.partial_image", "image_generation.completed");
        for (int i = 0; i < 2; i++) {
            JsonNode partial = events.get(i).data();
            assertThat(partial.get("type").asText()).isEqualTo("image_generation.partial_image");
            assertThat(partial.get("partial_image_index").asInt()).isEqualTo(i);
            assertThat(partial.get("size").asText()).isEqualTo("64x64");
            RgbImage p = picture(partial.get("b64_json").asText());
            assertThat(p.width()).isEqualTo(64);
            assertThat(p.height()).isEqualTo(64);
        }
        JsonNode completed = events.get(2).data();
        assertThat(completed.get("output_format").asText()).isEqualTo("png");
        assertThat(completed.has("usage")).isTrue();
        String plain = given().contentType(ContentType.JSON).body(body.replace(", \"stream\": true, "
                + "\"partial_images\": 2", "")).post("/v1/images/generations").then().statusCode(200)
                .extract().path("data[0].b64_json");
        assertThat(picture(completed.get("b64_json").asText()).rgb()).as("streaming changes nothing in the picture")
                .isEqualTo(picture(plain).rgb());
        assertThat(generationsCounted() - countedBefore).as("both measured, streamed or not").isEqualTo(2.0);
        // the second partial image is nearer the picture than the first: it is forming
        RgbImage last = picture(plain);
        assertThat(distance(picture(events.get(1).data().get("b64_json").asText()), last))
                .isLessThan(distance(picture(events.get(0).data().get("b64_json").asText()), last));
    }

    @Test
    void openAiStreamsWithoutPartialImagesAndRefusesBadValues() throws Exception {
        List<Event> events = events(HttpRequest.newBuilder(URI.create("http://localhost:" + port
                + "/v1/images/generations")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\": \"a green square\", \"size\": \"64x64\", "
                        + "\"steps\": 4, \"n\": 2, \"stream\": true}")).build());
        assertThat(events).extracting(Event::name).containsExactly("image_generation.completed",
                "image_generation.completed");
        given().contentType(ContentType.JSON).body("{\"prompt\": \"x\", \"stream\": true, \"partial_images\": 4}")
                .post("/v1/images/generations").then().statusCode(422)
                .body("error.param", org.hamcrest.Matchers.equalTo("partial_images"));
        given().contentType(ContentType.JSON).body("{\"prompt\": \"x\", \"partial_images\": 1}")
                .post("/v1/images/generations").then().statusCode(422);
        given().contentType(ContentType.JSON).body("{\"prompt\": \"x\", \"stream\": true, \"response_format\": \"url\"}")
                .post("/v1/images/generations").then().statusCode(422);
    }

    @Test
    void openAiEditsWithAMaskStreamImageEditEvents() throws Exception {
        String boundary = "b" + UUID.randomUUID();
        ByteArrayOutputStream form = new ByteArrayOutputStream();
        filePart(form, boundary, "image", InpaintingRoutesTest.PICTURE);
        filePart(form, boundary, "mask", InpaintingRoutesTest.CIRCLE_TRANSPARENT);
        for (String[] field : new String[][] {{"prompt", "a green circle on a blue background"}, {"stream", "true"},
            {"partial_images", "1"}, {"seed", "3"}}) {
            form.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + field[0] + "\"\r\n\r\n"
                    + field[1] + "\r\n").getBytes(StandardCharsets.UTF_8));
        }
        form.write(("--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        List<Event> events = events(HttpRequest.newBuilder(URI.create("http://localhost:" + port
                + "/v1/images/edits")).header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(form.toByteArray())).build());
        assertThat(events).extracting(Event::name).containsExactly("image_edit.partial_image",
                "image_edit.completed");
        RgbImage before = ImageCodec.decode(InpaintingRoutesTest.PICTURE, 1 << 24);
        RgbImage after = picture(events.get(1).data().get("b64_json").asText());
        assertThat(after.at(2, 2, 2)).as("outside the mask: as sent").isEqualTo(before.at(2, 2, 2));
    }

    private static void filePart(ByteArrayOutputStream form, String boundary, String name, byte[] png)
            throws java.io.IOException {
        form.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + name + "\"; filename=\""
                + name + ".png\"\r\nContent-Type: image/png\r\n\r\n").getBytes(StandardCharsets.UTF_8));
        form.write(png);
        form.write("\r\n".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void jobProgressEventsCarryPreviewsOnlyWhenAskedFor() throws Exception {
        // slow enough (about a second) for the 200 ms progress ticks to see several steps
        String job = "{\"prompt\": \"a red circle on a blue background\", \"width\": 512, \"height\": 512, "
                + "\"num_inference_steps\": 40, \"seed\": 5}";
        for (boolean asked : new boolean[] {true, false}) {
            String id = given().contentType(ContentType.JSON).body(job).post("/jobs").then().statusCode(202)
                    .extract().path("id");
            List<Event> events = events(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/jobs/" + id
                    + "/events" + (asked ? "?preview=true" : ""))).header("Accept", "text/event-stream").build());
            List<Event> withPreview = events.stream().filter(e -> e.data().has("preview")).toList();
            if (asked) {
                assertThat(withPreview).as("progress events with a preview").isNotEmpty();
                String url = withPreview.get(0).data().get("preview").asText();
                assertThat(url).startsWith("data:image/png;base64,");
                RgbImage p = picture(url.substring(url.indexOf(',') + 1));
                assertThat(p.width()).as("512/8 = 64 latent pixels, enlarged to 256").isEqualTo(256);
                assertThat(withPreview.get(0).data().get("preview_step").asInt()).isPositive();
            } else {
                assertThat(withPreview).isEmpty();
            }
            assertThat(events.get(events.size() - 1).name()).isEqualTo("done");
        }
    }

    @Test
    void a1111ProgressShowsTheCurrentImageOfTheCallersRunningGeneration() throws Exception {
        String key = null;
        Thread generation = new Thread(() -> given().contentType(ContentType.JSON).body("{\"prompt\": \"a red circle "
                + "on a blue background\", \"width\": 512, \"height\": 512, \"steps\": 40}").post("/sdapi/v1/txt2img")
                .then().statusCode(200));
        generation.start();
        String image = null;
        boolean sawRunning = false;
        for (int i = 0; i < 300 && image == null && generation.isAlive(); i++) {
            io.restassured.response.Response r = given().get("/sdapi/v1/progress");
            sawRunning |= r.<Integer>path("state.sampling_step") > 0;
            image = r.path("current_image");
            Thread.sleep(20);
        }
        generation.join();
        assertThat(sawRunning).isTrue();
        assertThat(image).as("a preview while it ran").isNotNull();
        assertThat(picture(image).width()).isEqualTo(256);
        assertThat(given().get("/sdapi/v1/progress?skip_current_image=true").<String>path("current_image")).isNull();
        assertThat(key).isNull();
    }

    static double distance(RgbImage a, RgbImage b) {
        double sum = 0;
        for (int i = 0; i < a.rgb().length; i++) {
            sum += Math.abs((a.rgb()[i] & 0xFF) - (b.rgb()[i] & 0xFF));
        }
        return sum / a.rgb().length;
    }
}
