package io.qwenimage.hostile;

import static io.qwenimage.hostile.HostileProfile.KEY_A;
import static io.qwenimage.hostile.HostileProfile.KEY_B;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.qwenimage.jobs.JobRecord;
import io.qwenimage.store.SharedState;
import io.qwenimage.testing.ServiceReady;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 16, item 12, over HTTP: with a share that holds one finished result per caller, a caller's second result
 * evicts its first; asking for the first answers 410 {@code JOB_EXPIRED} (to its owner only), an unknown id 404.
 */
@QuarkusTest
@TestProfile(HostileProfile.class)
class ExpiredJobHostileTest {

    @BeforeEach
    void waitUntilReady() throws InterruptedException {
        ServiceReady.await();
    }

    @Inject
    SharedState shared;

    /** Submits, and returns once the job's final record is in the store (just after it is seen finished). */
    static String finishedJob(SharedState shared, String key, int seed) throws InterruptedException {
        String id = given().header("X-API-Key", key).contentType(ContentType.JSON)
                .body(HostileProfile.FAST.replace("\"seed\": 7", "\"seed\": " + seed)).post("/jobs").then()
                .statusCode(202).extract().path("id");
        for (int i = 0; i < 600; i++) {
            String status = given().header("X-API-Key", key).get("/jobs/" + id).then().statusCode(200).extract()
                    .path("status");
            if (status.equals("succeeded") && shared.jobs().find(id).map(JobRecord::terminal).orElse(false)) {
                return id;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("job " + id + " did not finish");
    }

    @Test
    void anEvictedJobAnswers410ToItsOwnerAndAnUnknownOne404() throws Exception {
        String bobs = finishedJob(shared, KEY_B, 11);
        String first = finishedJob(shared, KEY_A, 12);
        String second = finishedJob(shared, KEY_A, 13);

        // the second's final record reaches the store just after the job is seen finished, and evicts the first
        var expired = given().header("X-API-Key", KEY_A).get("/jobs/" + first).then().extract();
        for (int i = 0; i < 100 && expired.statusCode() == 200; i++) {
            Thread.sleep(25);
            expired = given().header("X-API-Key", KEY_A).get("/jobs/" + first).then().extract();
        }
        assertThat(expired.statusCode()).isEqualTo(410);
        assertThat(expired.<String>path("error.code")).isEqualTo("JOB_EXPIRED");
        given().header("X-API-Key", KEY_A).delete("/jobs/" + first).then().statusCode(410);
        given().header("X-API-Key", KEY_A).get("/jobs/" + second).then().statusCode(200);
        given().header("X-API-Key", KEY_B).get("/jobs/" + bobs).then().statusCode(200);
        given().header("X-API-Key", KEY_B).get("/jobs/" + first).then().statusCode(404);
        given().header("X-API-Key", KEY_A).get("/jobs/no-such-job").then().statusCode(404);
    }
}
