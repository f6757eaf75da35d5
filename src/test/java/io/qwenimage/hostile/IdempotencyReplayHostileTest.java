package io.qwenimage.hostile;

import static io.qwenimage.hostile.HostileProfile.FAST;
import static io.qwenimage.hostile.HostileProfile.KEY_A;
import static io.qwenimage.hostile.HostileProfile.KEY_B;
import static io.qwenimage.hostile.HostileProfile.KEY_REPLAY;
import static io.qwenimage.hostile.HostileProfile.SLOW;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.qwenimage.jobs.JobQueue;
import io.qwenimage.service.GenerationService;
import io.qwenimage.testing.ServiceReady;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 16, item 8: replaying an {@code Idempotency-Key} after its job finished enqueued a new job (then cancelled
 * it), so with the queue full the replay got 503 instead of the stored document. A replay must return the stored
 * job and admit nothing, whatever way the job ended and whichever route is replayed.
 */
@QuarkusTest
@TestProfile(HostileProfile.class)
class IdempotencyReplayHostileTest {

    @Inject
    GenerationService service;

    @BeforeEach
    void waitUntilReady() throws InterruptedException {
        ServiceReady.await();
    }

    private static ExtractableResponse<Response> post(String path, String key, String idempotencyKey, String body) {
        var request = given().header("X-API-Key", key).header("Prefer", "respond-async").contentType(ContentType.JSON)
                .body(body);
        if (idempotencyKey != null) {
            request.header("Idempotency-Key", idempotencyKey);
        }
        return request.post(path).then().extract();
    }

    private static Map<String, Object> awaitFinished(String key, String id) throws InterruptedException {
        for (int i = 0; i < 600; i++) {
            Map<String, Object> doc = given().header("X-API-Key", key).get("/jobs/" + id).then().statusCode(200)
                    .extract().jsonPath().getMap("");
            if (!"queued".equals(doc.get("status")) && !"running".equals(doc.get("status"))) {
                return doc;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("job " + id + " did not finish");
    }

    @Test
    void replayOfAFinishedJobWithTheQueueFullReturnsTheStoredDocumentAndAdmitsNothing() throws Exception {
        String id = post("/jobs", KEY_REPLAY, "replay-finished", FAST).path("id");
        Map<String, Object> finished = awaitFinished(KEY_REPLAY, id);
        assertThat(finished).containsEntry("status", "succeeded");

        List<String> blockers = new ArrayList<>();
        for (var r = post("/jobs", KEY_B, null, SLOW); r.statusCode() == 202; r = post("/jobs", KEY_B, null, SLOW)) {
            blockers.add(r.path("id"));
        }
        assertThat(blockers).as("the worker and its waiting place").hasSize(2);
        JobQueue queue = service.queue();
        long admissions = queue.admissions();
        int inSystem = queue.inSystem();
        try {
            for (String route : List.of("/jobs", "/text-to-image")) {
                var replay = post(route, KEY_REPLAY, "replay-finished", FAST);
                assertThat(replay.statusCode()).as(route + " answered " + replay.body().asString()).isIn(200, 202);
                assertThat(replay.<String>path("id")).isEqualTo(id);
                assertThat(replay.<String>path("status")).isEqualTo("succeeded");
                assertThat(replay.jsonPath().getMap("result")).isEqualTo(finished.get("result"));
            }
            assertThat(queue.admissions()).as("jobs admitted by the replays").isEqualTo(admissions);
            assertThat(queue.inSystem()).isEqualTo(inSystem);
        } finally {
            blockers.forEach(b -> given().header("X-API-Key", KEY_B).delete("/jobs/" + b));
        }
    }

    @Test
    void replayOfACancelledJobReturnsItsDocumentAndAdmitsNothing() throws Exception {
        String blocker = post("/jobs", KEY_B, null, SLOW).path("id");
        String id = post("/jobs", KEY_A, "replay-cancelled", FAST).path("id");
        given().header("X-API-Key", KEY_A).delete("/jobs/" + id).then().statusCode(202);
        assertThat(awaitFinished(KEY_A, id)).containsEntry("status", "cancelled");
        long admissions = service.queue().admissions();
        try {
            var replay = post("/jobs", KEY_A, "replay-cancelled", FAST);
            assertThat(replay.statusCode()).as(replay.body().asString()).isIn(200, 202);
            assertThat(replay.<String>path("id")).isEqualTo(id);
            assertThat(replay.<String>path("status")).isEqualTo("cancelled");
            assertThat(service.queue().admissions()).isEqualTo(admissions);
        } finally {
            given().header("X-API-Key", KEY_B).delete("/jobs/" + blocker);
        }
    }
}
