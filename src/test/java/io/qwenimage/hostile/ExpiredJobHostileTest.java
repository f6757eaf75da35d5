package io.qwenimage.hostile;

import static io.qwenimage.hostile.HostileProfile.KEY_A;
import static io.qwenimage.hostile.HostileProfile.KEY_B;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.qwenimage.testing.ServiceReady;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
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

    static String finishedJob(String key, int seed) throws InterruptedException {
        String id = given().header("X-API-Key", key).contentType(ContentType.JSON)
                .body(HostileProfile.FAST.replace("\"seed\": 7", "\"seed\": " + seed)).post("/jobs").then()
                .statusCode(202).extract().path("id");
        for (int i = 0; i < 600; i++) {
            String status = given().header("X-API-Key", key).get("/jobs/" + id).then().statusCode(200).extract()
                    .path("status");
            if (status.equals("succeeded")) {
                return id;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("job " + id + " did not finish");
    }

    @Test
    void anEvictedJobAnswers410ToItsOwnerAndAnUnknownOne404() throws Exception {
        String bobs = finishedJob(KEY_B, 11);
        String first = finishedJob(KEY_A, 12);
        String second = finishedJob(KEY_A, 13);

        var expired = given().header("X-API-Key", KEY_A).get("/jobs/" + first).then().extract();
        assertThat(expired.statusCode()).isEqualTo(410);
        assertThat(expired.<String>path("error.code")).isEqualTo("JOB_EXPIRED");
        given().header("X-API-Key", KEY_A).delete("/jobs/" + first).then().statusCode(410);
        given().header("X-API-Key", KEY_A).get("/jobs/" + second).then().statusCode(200);
        given().header("X-API-Key", KEY_B).get("/jobs/" + bobs).then().statusCode(200);
        given().header("X-API-Key", KEY_B).get("/jobs/" + first).then().statusCode(404);
        given().header("X-API-Key", KEY_A).get("/jobs/no-such-job").then().statusCode(404);
    }
}
