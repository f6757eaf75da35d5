package io.qwenimage.observability;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.qwenimage.testing.ServiceReady;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The Grafana dashboard and the alert rules query only metrics this service really exports. */
@QuarkusTest
class DashboardMetricsTest {

    static final Pattern METRIC = Pattern.compile("\\b((?:qwen|http_server|jvm|process)_[a-z0-9_]+)\\b");

    @BeforeEach
    void waitUntilReady() throws InterruptedException {
        ServiceReady.await();
    }

    static Set<String> metricsIn(String text) {
        Set<String> names = new TreeSet<>();
        Matcher m = METRIC.matcher(text);
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    @Test
    void everyQueriedMetricIsInALiveScrape() throws Exception {
        // one success and one refusal, so that the series that appear on first use exist
        given().contentType(ContentType.JSON).body("{\"prompt\": \"a red circle\", \"num_inference_steps\": 2}")
                .post("/text-to-image").then().statusCode(200);
        given().contentType(ContentType.JSON).body("{\"prompt\": \"\"}").post("/text-to-image").then().statusCode(422);
        Set<String> exported = Scrape.get("/q/metrics").keySet().stream()
                .map(s -> s.contains("{") ? s.substring(0, s.indexOf('{')) : s).collect(Collectors.toSet());

        JsonNode dashboard = new ObjectMapper().readTree(Path.of("deploy/grafana/dashboards/qwen-image-api.json")
                .toFile());
        StringBuilder queries = new StringBuilder();
        dashboard.findValues("expr").forEach(e -> queries.append(e.asText()).append('\n'));
        Set<String> dashboardMetrics = metricsIn(queries.toString());
        assertThat(dashboardMetrics).as("the dashboard queries something").hasSizeGreaterThan(10);
        assertThat(exported).as("metrics of the dashboard").containsAll(dashboardMetrics);

        Set<String> alertMetrics = metricsIn(Files.readString(Path.of("deploy/prometheus/alerts.yml")));
        assertThat(alertMetrics).contains("qwen_jobs_total", "qwen_queue_depth", "qwen_ready");
        assertThat(exported).as("metrics of the alert rules").containsAll(alertMetrics);
    }
}
