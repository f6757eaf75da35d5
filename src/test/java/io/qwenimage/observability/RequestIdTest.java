package io.qwenimage.observability;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.qwenimage.testing.LogCapture;
import io.qwenimage.testing.ServiceReady;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import java.util.List;
import java.util.Map;
import org.jboss.logmanager.ExtLogRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The request id: kept when well-formed, replaced when not, echoed, and in every log line of its request. */
@QuarkusTest
@TestProfile(RequestIdTest.WorkerDebug.class)
class RequestIdTest {

    /** The worker's "generating …" line is DEBUG. */
    public static class WorkerDebug implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.log.category.\"io.qwenimage\".level", "DEBUG");
        }
    }

    static final String BODY = "{\"prompt\": \"a red circle\", \"num_inference_steps\": 2}";

    @BeforeEach
    void waitUntilReady() throws InterruptedException {
        ServiceReady.await();
    }

    /** The qwen log lines written while {@code call} ran (only one request is in flight). */
    static List<ExtLogRecord> linesOf(Runnable call) throws InterruptedException {
        try (LogCapture log = LogCapture.start()) {
            call.run();
            Thread.sleep(200); // the access line is written when the response has ended
            return log.records().stream().filter(r -> r.getLoggerName().startsWith("io.qwenimage")).toList();
        }
    }

    @Test
    void aWellFormedIdComesBackAndIsInEveryLineOfItsRequestWorkerIncluded() throws Exception {
        String[] echoed = new String[1];
        List<ExtLogRecord> lines = linesOf(() -> echoed[0] = given().header("X-Request-ID", "client-req_42:a.b")
                .contentType(ContentType.JSON).body(BODY).post("/text-to-image").then().statusCode(200)
                .extract().header("X-Request-ID"));
        assertThat(echoed[0]).isEqualTo("client-req_42:a.b");
        assertThat(lines).extracting(ExtLogRecord::getLoggerName)
                .contains("io.qwenimage.access", "io.qwenimage.audit", "io.qwenimage.service.GenerationTask");
        assertThat(lines).filteredOn(r -> r.getThreadName().startsWith("qwen-worker")).isNotEmpty();
        assertThat(lines).allSatisfy(r -> assertThat(r.getMdc(RequestLog.MDC_KEY))
                .as("%s on %s: %s", r.getLoggerName(), r.getThreadName(), r.getMessage())
                .isEqualTo("client-req_42:a.b"));
    }

    @Test
    void aMalformedIdIsReplacedAndTheWorkerDoesNotKeepAnOldOne() throws Exception {
        String[] echoed = new String[1];
        List<ExtLogRecord> lines = linesOf(() -> echoed[0] = given().header("X-Request-ID", "bad id <script>")
                .contentType(ContentType.JSON).body(BODY).post("/text-to-image").then().statusCode(200)
                .extract().header("X-Request-ID"));
        assertThat(echoed[0]).matches("[0-9a-f-]{36}");
        assertThat(lines).isNotEmpty().allSatisfy(r -> assertThat(r.getMdc(RequestLog.MDC_KEY))
                .as("%s on %s", r.getLoggerName(), r.getThreadName()).isEqualTo(echoed[0]));
        String tooLong = "x".repeat(129);
        assertThat(given().header("X-Request-ID", tooLong).get("/health").header("X-Request-ID"))
                .isNotEqualTo(tooLong);
        assertThat(given().get("/health").header("X-Request-ID")).as("one is made when none is sent")
                .matches("[0-9a-f-]{36}");
    }
}
