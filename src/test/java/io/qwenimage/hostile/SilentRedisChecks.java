package io.qwenimage.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import io.qwenimage.testing.ServiceReady;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Issue 16, item 2: with {@code qwen.jobs.store=redis} and rate limits on, a Redis that accepts connections and
 * never answers hung every generation request (the rate-limit filter waited on it without limit). Against a
 * black hole ({@link BlackHoledRedisHostileTest}) and a refused port ({@link RefusedRedisHostileTest}): synchronous generation answers (rate limit per replica, cache skipped),
 * and the asynchronous routes answer 503 {@code JOB_STORE_UNAVAILABLE} within a second.
 */
public abstract class SilentRedisChecks {

    /** Redis shared, rate limits and the result cache on, Redis unusable in the given way. */
    public abstract static class SharedThroughRedis implements QuarkusTestProfile {
        abstract String mode();

        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("qwen.jobs.store", "redis", "qwen.cache.enabled", "true",
                    "qwen.security.rate-limit.enabled", "true", "qwen.security.api-keys", HostileProfile.KEY_A);
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(SilentRedis.class, Map.of("mode", mode())));
        }
    }

    public static class BlackHole extends SharedThroughRedis {
        @Override
        String mode() {
            return "black-hole";
        }
    }

    public static class Refused extends SharedThroughRedis {
        @Override
        String mode() {
            return "refused";
        }
    }

    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @ConfigProperty(name = "quarkus.http.test-port")
    int port;

    @BeforeEach
    void waitUntilReady() throws InterruptedException {
        ServiceReady.await();
    }

    record Answer(int status, String body, HttpResponse<String> response, long millis) {
    }

    Answer call(String method, String path, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .timeout(Duration.ofSeconds(20)).header("X-API-Key", HostileProfile.KEY_A)
                .header("Content-Type", "application/json");
        b = body == null ? b.method(method, HttpRequest.BodyPublishers.noBody())
                : b.method(method, HttpRequest.BodyPublishers.ofString(body));
        long t0 = System.nanoTime();
        HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        long millis = (System.nanoTime() - t0) / 1_000_000;
        System.out.printf("%s %s %s -> %d in %d ms%n", getClass().getSimpleName(), method, path, r.statusCode(),
                millis);
        return new Answer(r.statusCode(), r.body(), r, millis);
    }

    @Test
    void synchronousGenerationGoesOnWithRateLimitsPerReplicaAndTheCacheSkipped() throws Exception {
        for (int i = 0; i < 5; i++) {
            Answer a = call("POST", "/text-to-image", HostileProfile.FAST);
            assertThat(a.status()).as("answer %d: %s", i, a.body()).isEqualTo(200);
            assertThat(a.response().headers().firstValue("X-RateLimit-Limit")).as("limited per replica")
                    .isPresent();
            // the first few wait out the per-call limit (rate limit, cache read and write) until the breaker
            // opens; none waits on Redis for long
            assertThat(a.millis()).as("answer %d", i).isLessThan(i < 2 ? 8_000 : 5_000);
        }
    }

    @Test
    void asynchronousRoutesAnswer503WithinASecond() throws Exception {
        // the first waits out the per-call limit of the calls it makes (at most three) and opens the breaker; it
        // is also the application's first request (class loading), hence the wider bound
        Answer first = call("POST", "/jobs", HostileProfile.FAST);
        assertThat(first.status()).isEqualTo(503);
        assertThat(first.millis()).isLessThan(3_000);
        for (String[] route : new String[][] {{"POST", "/jobs"}, {"GET", "/jobs/some-id"},
            {"DELETE", "/jobs/some-id"}, {"POST", "/jobs"}}) {
            Answer a = call(route[0], route[1], route[0].equals("POST") ? HostileProfile.FAST : null);
            assertThat(a.status()).as("%s %s: %s", route[0], route[1], a.body()).isEqualTo(503);
            assertThat(a.body()).contains("JOB_STORE_UNAVAILABLE");
            assertThat(a.millis()).as("%s %s", route[0], route[1]).isLessThan(1_000);
        }
    }
}
