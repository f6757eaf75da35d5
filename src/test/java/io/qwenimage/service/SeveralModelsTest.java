package io.qwenimage.service;

import static io.qwenimage.testing.TestImages.redCircleOnBluePng;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.qwenimage.security.ApiKeys;
import io.qwenimage.testing.ModelFolders;
import io.qwenimage.testing.ServiceReady;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 19, part 2: the two demo models served by one process and chosen per request in every API, under a
 * budget of one loaded model (so alternating requests evict each other), beside a model that cannot load, with
 * admin load, unload and rescan, and per-caller A1111 checkpoints.
 */
@QuarkusTest
@TestProfile(SeveralModelsTest.TwoDemosAndABrokenOne.class)
class SeveralModelsTest {

    static final String ALICE = "alice-key-0123456789abcdef";
    static final String BOB = "bob-key-0123456789abcdef01";
    static final String ADMIN = "models-admin-0123456789abcdef";
    static final Path SCAN_DIR = Path.of("target", "several-models-scan");

    /** demo (bundled, at start), qwen (the Qwen demo, on demand), broken (no model there); one loaded at once. */
    public static class TwoDemosAndABrokenOne implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            try {
                deleteTree(SCAN_DIR);
                Files.createDirectories(SCAN_DIR);
                Files.createDirectories(Path.of("target", "several-models-broken"));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            return Map.ofEntries(Map.entry("qwen.models.entries.demo.path", "bundled"),
                    Map.entry("qwen.models.entries.demo.load-at-start", "true"),
                    Map.entry("qwen.models.entries.qwen.path", "models/demo-qwen"),
                    Map.entry("qwen.models.entries.broken.path", "target/several-models-broken"),
                    Map.entry("qwen.models.max-loaded", "1"),
                    Map.entry("qwen.models.dir", SCAN_DIR.toString()),
                    Map.entry("qwen.generation.num-inference-steps", "2"),
                    Map.entry("qwen.security.api-keys", "alice=" + ALICE + ",bob=" + BOB + ",ops:admin="
                            + ApiKeys.hashEntry(ADMIN)));
        }
    }

    @BeforeEach
    void waitUntilReady() throws InterruptedException {
        ServiceReady.await();
    }

    static Response native1(String key, String model) {
        String field = model == null ? "" : ", \"model\": \"" + model + "\"";
        return given().header("X-API-Key", key).contentType(ContentType.JSON)
                .body("{\"prompt\": \"a red circle on a blue background\", \"width\": 64, \"height\": 64, "
                        + "\"num_inference_steps\": 2, \"seed\": 3" + field + "}").post("/text-to-image");
    }

    static String stateOf(String id) {
        List<Map<String, Object>> models = given().get("/info").then().statusCode(200).extract().path("models");
        return models.stream().filter(m -> id.equals(m.get("id"))).findFirst().map(m -> (String) m.get("state"))
                .orElseThrow();
    }

    @Test
    void everyListingShowsEveryModelAndTheServiceIsReadyWithOnlyTheStartModelLoaded() {
        given().get("/q/health/ready").then().statusCode(200);
        List<String> ids = given().get("/info").then().extract().path("models.id");
        assertThat(ids).containsExactly("broken", "demo", "qwen");
        assertThat(given().get("/info").then().extract().<String>path("default_model")).isEqualTo("demo");
        assertThat(given().header("X-API-Key", ALICE).get("/v1/models").then().statusCode(200).extract()
                .<List<String>>path("data.id")).containsExactly("broken", "demo", "qwen");
        assertThat(given().header("X-API-Key", ALICE).get("/sdapi/v1/sd-models").then().statusCode(200).extract()
                .<List<String>>path("title")).containsExactly("broken", "demo", "qwen");
        // the public listing names no file and no load error
        assertThat(given().get("/info").asString()).doesNotContain("several-models-broken");
    }

    @Test
    void alternatingRequestsUnderABudgetOfOneEvictEachOtherAndAllSucceed() {
        for (int round = 0; round < 2; round++) {
            for (String model : List.of("qwen", "demo")) {
                Response r = native1(ALICE, model);
                assertThat(r.statusCode()).as(model + ": " + r.asString()).isEqualTo(200);
                assertThat(r.<String>path("metadata.model")).isEqualTo(model);
                String other = model.equals("qwen") ? "demo" : "qwen";
                assertThat(stateOf(model)).isEqualTo("ready");
                assertThat(stateOf(other)).as("evicted for " + model).isEqualTo("unloaded");
            }
        }
        // a request naming no model gets the default, whose metadata says so
        assertThat(native1(ALICE, null).then().statusCode(200).extract().<String>path("metadata.model"))
                .isEqualTo("demo");
        // the Qwen demo's family shows once it has been loaded
        List<Map<String, Object>> models = given().get("/info").then().extract().path("models");
        assertThat(models).filteredOn(m -> m.get("id").equals("qwen")).singleElement()
                .satisfies(m -> assertThat(m.get("family")).isEqualTo("qwen-image"));
    }

    @Test
    void aJobForAModelLoadedBeforeWaitsInTheQueueWithItsPlaceWhileTheModelLoads() throws InterruptedException {
        native1(ALICE, "qwen").then().statusCode(200);
        native1(ALICE, "demo").then().statusCode(200);
        assertThat(stateOf("qwen")).isEqualTo("unloaded");

        Response submitted = given().header("X-API-Key", ALICE).contentType(ContentType.JSON)
                .body("{\"prompt\": \"a red circle\", \"width\": 64, \"height\": 64, \"num_inference_steps\": 2, "
                        + "\"seed\": 5, \"model\": \"qwen\"}").post("/jobs");
        assertThat(submitted.statusCode()).as(submitted.asString()).isEqualTo(202);
        // answered at once: the job is in the queue, in first place, while its model loads
        assertThat(submitted.<String>path("status")).isEqualTo("queued");
        assertThat(submitted.<Integer>path("position")).isEqualTo(1);
        String id = submitted.path("id");
        // a request for the model just unloaded for it waits its turn for room, and is served after it
        Response other = native1(BOB, "demo");
        assertThat(other.statusCode()).as(other.asString()).isEqualTo(200);
        assertThat(other.<String>path("metadata.model")).isEqualTo("demo");

        Map<String, Object> status = Map.of();
        for (int i = 0; i < 600 && !"succeeded".equals(status.get("status")); i++) {
            status = given().header("X-API-Key", ALICE).get("/jobs/" + id).then().statusCode(200).extract()
                    .jsonPath().getMap("");
            assertThat(status.get("status")).as(status.toString()).isIn("queued", "running", "succeeded");
            Thread.sleep(50);
        }
        assertThat(status.get("status")).isEqualTo("succeeded");
        assertThat(given().header("X-API-Key", ALICE).get("/jobs/" + id).then().extract()
                .<String>path("result.metadata.model")).isEqualTo("qwen");
        assertThat(stateOf("demo")).isEqualTo("ready");
        assertThat(stateOf("qwen")).isEqualTo("unloaded");
    }

    @Test
    void everyApiChoosesTheModelItNames() {
        Response openAi = given().header("Authorization", "Bearer " + ALICE).contentType(ContentType.JSON)
                .body("{\"prompt\": \"a red circle\", \"size\": \"64x64\", \"steps\": 2, \"model\": \"qwen\"}")
                .post("/v1/images/generations");
        assertThat(openAi.statusCode()).as(openAi.asString()).isEqualTo(200);
        assertThat(stateOf("qwen")).isEqualTo("ready");
        // OpenAI's own model names mean the default model
        given().header("Authorization", "Bearer " + ALICE).contentType(ContentType.JSON)
                .body("{\"prompt\": \"a red circle\", \"size\": \"64x64\", \"steps\": 2, \"model\": \"dall-e-3\"}")
                .post("/v1/images/generations").then().statusCode(200);
        assertThat(stateOf("demo")).isEqualTo("ready");

        Response a1111 = given().header("X-API-Key", ALICE).contentType(ContentType.JSON)
                .body("{\"prompt\": \"a red circle\", \"width\": 64, \"height\": 64, \"steps\": 2, "
                        + "\"override_settings\": {\"sd_model_checkpoint\": \"qwen [0000]\"}}")
                .post("/sdapi/v1/txt2img");
        assertThat(a1111.statusCode()).as(a1111.asString()).isEqualTo(200);
        assertThat(a1111.<String>path("info")).contains("\"sd_model_name\":\"qwen\"");

        Response img2img = given().header("X-API-Key", ALICE)
                .multiPart("image", "in.png", redCircleOnBluePng(64, 64), "image/png")
                .multiPart("prompt", "a red circle").multiPart("num_inference_steps", "2")
                .multiPart("model", "demo").post("/image-to-image");
        assertThat(img2img.statusCode()).as(img2img.asString()).isEqualTo(200);
        assertThat(img2img.<String>path("metadata.model")).isEqualTo("demo");
    }

    @Test
    void anA1111CallersCheckpointIsItsOwn() {
        given().header("X-API-Key", ALICE).contentType(ContentType.JSON)
                .body("{\"sd_model_checkpoint\": \"qwen\"}").post("/sdapi/v1/options").then().statusCode(200);
        assertThat(given().header("X-API-Key", ALICE).get("/sdapi/v1/options").then().extract()
                .<String>path("sd_model_checkpoint")).isEqualTo("qwen");
        assertThat(given().header("X-API-Key", BOB).get("/sdapi/v1/options").then().extract()
                .<String>path("sd_model_checkpoint")).isEqualTo("demo");
        String body = "{\"prompt\": \"a red circle\", \"width\": 64, \"height\": 64, \"steps\": 2}";
        assertThat(given().header("X-API-Key", ALICE).contentType(ContentType.JSON).body(body)
                .post("/sdapi/v1/txt2img").then().statusCode(200).extract().<String>path("info"))
                .contains("\"sd_model_name\":\"qwen\"");
        assertThat(given().header("X-API-Key", BOB).contentType(ContentType.JSON).body(body)
                .post("/sdapi/v1/txt2img").then().statusCode(200).extract().<String>path("info"))
                .contains("\"sd_model_name\":\"demo\"");
        given().header("X-API-Key", ALICE).contentType(ContentType.JSON)
                .body("{\"sd_model_checkpoint\": \"nope\"}").post("/sdapi/v1/options").then().statusCode(404);
        given().header("X-API-Key", ALICE).contentType(ContentType.JSON)
                .body("{\"sd_model_checkpoint\": \"demo\"}").post("/sdapi/v1/options").then().statusCode(200);
    }

    @Test
    void anUnknownModelIs404InEachApisShapeListingTheModels() {
        Response nativeAnswer = native1(ALICE, "sdxl");
        assertThat(nativeAnswer.statusCode()).isEqualTo(404);
        assertThat(nativeAnswer.<String>path("error.code")).isEqualTo("MODEL_NOT_FOUND");
        assertThat(nativeAnswer.<List<String>>path("error.details.models")).containsExactly("broken", "demo", "qwen");
        Response openAi = given().header("Authorization", "Bearer " + ALICE).contentType(ContentType.JSON)
                .body("{\"prompt\": \"x\", \"model\": \"sdxl\"}").post("/v1/images/generations");
        assertThat(openAi.statusCode()).isEqualTo(404);
        assertThat(openAi.<String>path("error.message")).contains("demo, qwen");
        given().header("Authorization", "Bearer " + ALICE).get("/v1/models/sdxl").then().statusCode(404);
    }

    @Test
    void aModelThatCannotLoadIsMarkedFailedAndTheOthersKeepServing() {
        Response broken = native1(ALICE, "broken");
        assertThat(broken.statusCode()).as(broken.asString()).isEqualTo(503);
        assertThat(broken.<String>path("error.code")).isEqualTo("MODEL_NOT_LOADED");
        assertThat(broken.header("Retry-After")).isNotNull();
        assertThat(stateOf("broken")).isEqualTo("failed");
        List<Map<String, Object>> detailed = given().header("X-API-Key", ADMIN).get("/admin/models").then()
                .statusCode(200).extract().path("models");
        assertThat(detailed).filteredOn(m -> m.get("id").equals("broken")).singleElement()
                .satisfies(m -> assertThat((String) m.get("failure")).contains("model_index.json"));
        native1(ALICE, "demo").then().statusCode(200);
        given().get("/q/health/ready").then().statusCode(200);
    }

    @Test
    void generationAndQueueMetricsCarryTheModelAndEachModelsStateIsAGauge() {
        native1(ALICE, "broken").then().statusCode(503);
        native1(ALICE, "qwen").then().statusCode(200);
        String metrics = given().accept("text/plain").get("/q/metrics").then().statusCode(200).extract().asString();
        assertThat(metrics)
                .contains("qwen_jobs_total{endpoint=\"/text-to-image\",model=\"qwen\",outcome=\"success\",}")
                .contains("qwen_queue_wait_seconds_count{endpoint=\"/text-to-image\",model=\"qwen\",}")
                .contains("qwen_generation_duration_seconds_count{endpoint=\"/text-to-image\",model=\"qwen\",")
                .contains("qwen_model_state{model=\"qwen\",state=\"ready\",} 1.0")
                .contains("qwen_model_state{model=\"qwen\",state=\"unloaded\",} 0.0")
                .contains("qwen_model_state{model=\"broken\",state=\"failed\",} 1.0")
                .contains("qwen_model_state{model=\"demo\",state=\"unloaded\",} 1.0");
        // bounded: an id nobody configured never becomes a label
        native1(ALICE, "no-such-model").then().statusCode(404);
        assertThat(given().accept("text/plain").get("/q/metrics").asString()).doesNotContain("no-such-model");
    }

    @Test
    void infoDescribesTheModelANamedOneAndRefusesAnUnknownId() {
        native1(ALICE, "qwen").then().statusCode(200);
        assertThat(given().get("/info?model=qwen").then().statusCode(200).extract()
                .<String>path("model_info.guidance.parameter")).isEqualTo("true_cfg_scale");
        assertThat(given().get("/info?model=qwen").then().extract().<List<String>>path("schedulers"))
                .containsExactly("flow_match_euler");
        assertThat(given().get("/info").then().extract().<String>path("model_info.name")).isEqualTo("demo");
        Response unknown = given().get("/info?model=nope");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.<String>path("error.code")).isEqualTo("MODEL_NOT_FOUND");
    }

    @Test
    void adminLoadUnloadAndRescanNeedTheAdminScope() throws IOException {
        given().header("X-API-Key", ALICE).post("/admin/models/qwen/load").then().statusCode(403);
        given().header("X-API-Key", ALICE).post("/admin/models/qwen/unload").then().statusCode(403);
        given().header("X-API-Key", ALICE).post("/admin/models/rescan").then().statusCode(403);

        assertThat(given().header("X-API-Key", ADMIN).post("/admin/models/qwen/load").then().statusCode(200)
                .extract().<String>path("state")).isEqualTo("ready");
        assertThat(stateOf("qwen")).isEqualTo("ready");
        assertThat(stateOf("demo")).isEqualTo("unloaded");
        assertThat(given().header("X-API-Key", ADMIN).post("/admin/models/qwen/unload").then().statusCode(200)
                .extract().<String>path("state")).isEqualTo("unloaded");
        given().header("X-API-Key", ADMIN).post("/admin/models/nope/unload").then().statusCode(404);

        // a folder put under qwen.models.dir after the start is served once rescanned
        ModelFolders.copy(Path.of("models", "demo-qwen"), SCAN_DIR.resolve("late-qwen"));
        assertThat(given().header("X-API-Key", ADMIN).post("/admin/models/rescan").then().statusCode(200).extract()
                .<List<String>>path("added")).containsExactly("late-qwen");
        assertThat(native1(ALICE, "late-qwen").then().statusCode(200).extract().<String>path("metadata.model"))
                .isEqualTo("late-qwen");
        assertThat(given().header("X-API-Key", ADMIN).post("/admin/models/rescan").then().extract()
                .<List<String>>path("added")).isEmpty();
        given().header("X-API-Key", ADMIN).post("/admin/models/demo/load").then().statusCode(200);
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(f);
            }
        }
    }
}
