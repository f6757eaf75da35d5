package io.qwenimage.observability;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.qwenimage.testing.ServiceReady;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** With tracing on, a generation is one trace: the HTTP span, its queue wait, and each phase on the worker. */
@QuarkusTest
@TestProfile(TracingTest.TracingOn.class)
class TracingTest {

    /** The SDK on, every span sampled, exported to memory. */
    public static class TracingOn implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.otel.sdk.disabled", "false", "quarkus.otel.traces.sampler", "always_on",
                    "quarkus.otel.bsp.schedule.delay", "0.05s");
        }
    }

    /** Where the spans go in this test. */
    static class Exporter {
        @Produces
        @Singleton
        InMemorySpanExporter spans() {
            return InMemorySpanExporter.create();
        }
    }

    @Inject
    InMemorySpanExporter spans;

    @BeforeEach
    void waitUntilReady() throws InterruptedException {
        ServiceReady.await();
    }

    @Test
    void aGenerationIsOneTraceFromTheHttpSpanToEachPhaseOnTheWorker() throws Exception {
        spans.reset();
        given().contentType(ContentType.JSON).body("{\"prompt\": \"a red circle\", \"num_inference_steps\": 2}")
                .post("/text-to-image").then().statusCode(200);
        List<SpanData> trace = List.of();
        for (int i = 0; i < 100; i++) {
            trace = spans.getFinishedSpanItems();
            if (trace.stream().anyMatch(s -> s.getName().contains("text-to-image"))
                    && trace.stream().anyMatch(s -> s.getName().equals("decoding"))) {
                break;
            }
            Thread.sleep(50);
        }
        SpanData http = trace.stream().filter(s -> s.getName().contains("text-to-image")).findFirst().orElseThrow();
        SpanData generation = named(trace, "generation");
        assertThat(named(trace, "queue wait").getParentSpanId()).isEqualTo(http.getSpanId());
        assertThat(generation.getParentSpanId()).isEqualTo(http.getSpanId());
        assertThat(generation.getTraceId()).isEqualTo(http.getTraceId());
        for (String phase : List.of("text encoding", "denoising", "decoding")) {
            assertThat(named(trace, phase).getParentSpanId()).as(phase).isEqualTo(generation.getSpanId());
        }
        assertThat(generation.getAttributes().asMap().toString()).contains("qwen.steps=2");
    }

    private static SpanData named(List<SpanData> spans, String name) {
        return spans.stream().filter(s -> s.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no span '" + name + "' in " + spans.stream()
                        .map(SpanData::getName).toList()));
    }
}
