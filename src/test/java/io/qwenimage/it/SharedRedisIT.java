package io.qwenimage.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Two replicas (two jars) sharing one Redis ({@code qwen.jobs.store=redis}), as behind one Kubernetes Service: a
 * job submitted to A is read, streamed, cancelled and collected through B; one key's rate limit holds across
 * both; a cached repeat is served without the engine; Redis stopped and started again: 503 on the asynchronous
 * endpoints meanwhile, synchronous generation and readiness unaffected, everything back afterwards. Redis is a
 * {@code redis-server} of its own on a free loopback port ({@code .ci/run} installs Debian's).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SharedRedisIT {

    static final String KEY = "shared-key-0123456789abcdef";
    static final String LIMITED_KEY = "limited-key-0123456789abcdef";
    static final String MODELS_KEY = "models-key-0123456789abcdef0";
    static final String OUTAGE_KEY = "outage-key-0123456789abcdef";
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    static int redisPort;
    static Process redis;
    static Process a;
    static Process b;
    static String baseA;
    static String baseB;

    static boolean redisInstalled() {
        return List.of(System.getenv().getOrDefault("PATH", "").split(":")).stream()
                .anyMatch(dir -> Files.isExecutable(Path.of(dir, "redis-server")));
    }

    @BeforeAll
    static void start() throws Exception {
        if ("1".equals(System.getenv("QWEN_TEST_REQUIRE_REDIS"))) {
            assertThat(redisInstalled()).as("redis-server on PATH").isTrue();
        }
        assumeTrue(redisInstalled(), "redis-server is not installed; .ci/run has it");
        redisPort = ProductionConfigIT.freePort();
        startRedis();
        int portA = ProductionConfigIT.freePort();
        int portB = ProductionConfigIT.freePort();
        a = replica("a", portA);
        b = replica("b", portB);
        baseA = "http://localhost:" + portA;
        baseB = "http://localhost:" + portB;
        awaitReady(baseA);
        awaitReady(baseB);
    }

    @AfterAll
    static void stop() throws Exception {
        for (Process p : new Process[] {a, b, redis}) {
            if (p != null) {
                p.destroy();
                if (!p.waitFor(30, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            }
        }
    }

    static void startRedis() throws Exception {
        redis = new ProcessBuilder("redis-server", "--port", Integer.toString(redisPort), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no").redirectErrorStream(true)
                .redirectOutput(File.createTempFile("qwen-redis", ".log")).start();
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            try (var socket = new java.net.Socket("127.0.0.1", redisPort)) {
                return;
            } catch (java.io.IOException e) {
                assertThat(System.nanoTime()).as("redis-server listens").isLessThan(until);
                Thread.sleep(50);
            }
        }
    }

    static Process replica(String name, int port) throws Exception {
        File log = File.createTempFile("qwen-replica-" + name, ".log");
        return new ProcessBuilder(System.getProperty("java.home") + "/bin/java", "-Dquarkus.http.port=" + port,
                "-Dqwen.jobs.store=redis", "-Dqwen.jobs.replica=" + name,
                "-Dquarkus.redis.hosts=redis://127.0.0.1:" + redisPort,
                "-Dqwen.security.api-keys=" + KEY + "," + LIMITED_KEY + "," + OUTAGE_KEY + "," + MODELS_KEY,
                "-Dqwen.security.rate-limit.requests-per-minute=6", "-Dqwen.security.rate-limit.burst=6",
                "-Dqwen.security.rate-limit.requests-per-hour=1000",
                "-Dqwen.cache.enabled=true", "-Dqwen.queue.workers=1",
                "-jar", "target/quarkus-app/quarkus-run.jar")
                .redirectErrorStream(true).redirectOutput(log).start();
    }

    static void awaitReady(String base) throws Exception {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (readyStatus(base) != 200) {
            assertThat(System.nanoTime()).as(base + " becomes ready").isLessThan(until);
            Thread.sleep(200);
        }
    }

    static int readyStatus(String base) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(base + "/q/health/ready")).GET().build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (Exception e) {
            return -1;     // not listening yet
        }
    }

    static HttpResponse<String> get(String base, String path, String key) {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30));
        if (key != null) {
            r.header("X-API-Key", key);
        }
        return send(r.GET().build());
    }

    static HttpResponse<String> post(String base, String path, String body) {
        return post(base, path, body, KEY);
    }

    /** A generation route: each call takes one of {@code key}'s 6 tokens (6 per minute, shared by A and B). */
    static HttpResponse<String> post(String base, String path, String body, String key) {
        return send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(120))
                .header("X-API-Key", key).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    static HttpResponse<String> delete(String base, String path) {
        return send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
                .header("X-API-Key", KEY).DELETE().build());
    }

    static HttpResponse<String> send(HttpRequest request) {
        try {
            return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new AssertionError(request.uri() + ": " + e, e);
        }
    }

    static JsonNode json(HttpResponse<String> r) throws Exception {
        return JSON.readTree(r.body());
    }

    /** Polls {@code GET /jobs/{id}} on {@code base} until the status is one of {@code wanted}. */
    static JsonNode awaitStatus(String base, String id, String... wanted) throws Exception {
        return awaitStatusOf(base, id, KEY, wanted);
    }

    static JsonNode awaitStatusOf(String base, String id, String key, String... wanted) throws Exception {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (true) {
            HttpResponse<String> r = get(base, "/jobs/" + id, key);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            JsonNode doc = json(r);
            if (List.of(wanted).contains(doc.path("status").asText())) {
                return doc;
            }
            assertThat(System.nanoTime()).as("job %s reaches %s; last %s", id, List.of(wanted), r.body())
                    .isLessThan(until);
            Thread.sleep(100);
        }
    }

    static double metric(String base, String series) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$")
                .matcher(get(base, "/metrics", null).body());
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    @Test
    @Order(1)
    void aJobSubmittedToAIsReadStreamedAndCollectedThroughB() throws Exception {
        HttpResponse<String> submitted = post(baseA, "/jobs", "{\"prompt\": \"a red circle on a blue background\", "
                + "\"width\": 256, \"height\": 256, \"num_inference_steps\": 20, \"seed\": 5}");
        assertThat(submitted.statusCode()).as(submitted.body()).isEqualTo(202);
        String id = json(submitted).path("id").asText();

        HttpResponse<String> onB = get(baseB, "/jobs/" + id, KEY);
        assertThat(onB.statusCode()).as("B knows A's job: " + onB.body()).isEqualTo(200);
        assertThat(json(onB).path("replica").asText()).isEqualTo("a");
        assertThat(get(baseB, "/jobs/" + id, "another-key-0123456789").statusCode())
                .as("another caller does not see it, on B either").isIn(401, 404);

        HttpResponse<String> events = HTTP.sendAsync(HttpRequest.newBuilder(URI.create(baseB + "/jobs/" + id
                        + "/events")).header("X-API-Key", KEY).header("Accept", "text/event-stream").GET().build(),
                HttpResponse.BodyHandlers.ofString()).get(120, TimeUnit.SECONDS);
        assertThat(events.statusCode()).isEqualTo(200);
        assertThat(events.body()).as("B streams A's job to its end").contains("event:done")
                .contains("\"status\":\"succeeded\"");

        JsonNode done = awaitStatus(baseB, id, "succeeded");
        assertThat(done.path("result").path("image").asText()).as("the picture, from B").isNotEmpty();
        assertThat(done.path("result").path("metadata").path("seed").asLong()).isEqualTo(5);
    }

    @Test
    @Order(2)
    void aCancelThroughBStopsTheJobRunningOnA() throws Exception {
        HttpResponse<String> submitted = post(baseA, "/jobs", "{\"prompt\": \"a green square\", \"width\": 512, "
                + "\"height\": 512, \"num_inference_steps\": 50, \"seed\": 6}");
        assertThat(submitted.statusCode()).as(submitted.body()).isEqualTo(202);
        String id = json(submitted).path("id").asText();
        awaitStatus(baseB, id, "running");
        HttpResponse<String> cancel = delete(baseB, "/jobs/" + id);
        assertThat(cancel.statusCode()).as(cancel.body()).isEqualTo(202);
        JsonNode onA = awaitStatus(baseA, id, "cancelled", "succeeded");
        assertThat(onA.path("status").asText()).as("A stopped it").isEqualTo("cancelled");
        assertThat(onA.path("step").asInt(0)).isLessThan(50);
        assertThat(delete(baseB, "/jobs/" + id).statusCode()).as("finished: 409 from B too").isEqualTo(409);
    }

    @Test
    @Order(3)
    void aCachedRepeatIsServedWithoutTheEngineOnTheOtherReplica() throws Exception {
        String body = "{\"prompt\": \"a yellow triangle\", \"width\": 64, \"height\": 64, \"seed\": 4242, "
                + "\"num_inference_steps\": 6}";
        HttpResponse<String> first = post(baseA, "/text-to-image", body);
        assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
        double generatedOnB = metric(baseB, "qwen_generation_duration_seconds_count{endpoint=\"/text-to-image\","
                + "model=\"demo\",scheduler=\"dpmpp_2m_karras\",size=\"le256\",}");
        double cachedOnB = metric(baseB, "qwen_jobs_total{endpoint=\"/text-to-image\",model=\"demo\",outcome=\"cached\",}");
        HttpResponse<String> again = post(baseB, "/text-to-image", body);
        assertThat(again.statusCode()).as(again.body()).isEqualTo(200);
        assertThat(again.headers().firstValue("X-Cache")).hasValue("hit");
        assertThat(json(again).path("metadata").path("cached").asBoolean()).isTrue();
        assertThat(json(again).path("image").asText()).as("identical bytes").isEqualTo(json(first).path("image")
                .asText());
        assertThat(metric(baseB, "qwen_generation_duration_seconds_count{endpoint=\"/text-to-image\","
                + "model=\"demo\",scheduler=\"dpmpp_2m_karras\",size=\"le256\",}")).as("no generation on B")
                .isEqualTo(generatedOnB);
        assertThat(metric(baseB, "qwen_jobs_total{endpoint=\"/text-to-image\",model=\"demo\",outcome=\"cached\",}"))
                .isEqualTo(cachedOnB + 1);
        String unseeded = "{\"prompt\": \"a yellow triangle\", \"width\": 64, \"height\": 64, "
                + "\"num_inference_steps\": 6}";
        HttpResponse<String> fresh = post(baseB, "/text-to-image", unseeded);
        assertThat(fresh.statusCode()).isEqualTo(200);
        assertThat(fresh.headers().firstValue("X-Cache")).as("no seed, no cache").isEmpty();
    }

    @Test
    @Order(3)
    void theCacheAndTheJobStoreCarryTheModelAndAReplicaLoadsAModelItHasNotLoadedForAJob() throws Exception {
        String qwen = "{\"prompt\": \"a yellow triangle\", \"width\": 64, \"height\": 64, \"seed\": 77, "
                + "\"num_inference_steps\": 2, \"model\": \"demo-qwen\"}";
        HttpResponse<String> first = post(baseA, "/text-to-image", qwen, MODELS_KEY);
        assertThat(first.statusCode()).as("A loads demo-qwen for it: " + first.body()).isEqualTo(200);
        assertThat(json(first).path("metadata").path("model").asText()).isEqualTo("demo-qwen");
        HttpResponse<String> again = post(baseB, "/text-to-image", qwen, MODELS_KEY);
        assertThat(again.headers().firstValue("X-Cache")).as("B has it from the shared cache").hasValue("hit");
        assertThat(json(again).path("metadata").path("model").asText()).isEqualTo("demo-qwen");
        HttpResponse<String> otherModel = post(baseB, "/text-to-image", qwen.replace("demo-qwen", "demo"), MODELS_KEY);
        assertThat(otherModel.statusCode()).isEqualTo(200);
        assertThat(otherModel.headers().firstValue("X-Cache")).as("the model is part of the key")
                .isNotEqualTo(java.util.Optional.of("hit"));

        HttpResponse<String> submitted = post(baseB, "/jobs", qwen.replace("77", "78"), MODELS_KEY);
        assertThat(submitted.statusCode()).as(submitted.body()).isEqualTo(202);
        JsonNode done = awaitStatusOf(baseA, json(submitted).path("id").asText(), MODELS_KEY, "succeeded");
        assertThat(done.path("replica").asText()).as("served where it was admitted").isEqualTo("b");
        assertThat(done.path("result").path("metadata").path("model").asText()).isEqualTo("demo-qwen");
    }

    @Test
    @Order(4)
    void oneKeysRateLimitHoldsAcrossBothReplicas() throws Exception {
        List<Integer> statuses = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            String base = i % 2 == 0 ? baseA : baseB;
            statuses.add(post(base, "/text-to-image", "{\"prompt\": \"a dot\", \"width\": 64, \"height\": 64, "
                    + "\"num_inference_steps\": 1, \"seed\": " + (9000 + i) + "}", LIMITED_KEY).statusCode());
        }
        // each replica alone would let 6 through: 12 of 10
        assertThat(statuses.stream().filter(s -> s == 200).count()).as("statuses %s", statuses).isEqualTo(6);
        assertThat(statuses.stream().filter(s -> s == 429).count()).isEqualTo(4);
    }

    @Test
    @Order(5)
    void withRedisDownAsyncJobsAre503AndEverythingElseWorksThenItRecovers() throws Exception {
        redis.destroy();
        redis.waitFor(10, TimeUnit.SECONDS);
        HttpResponse<String> refused = post(baseA, "/jobs", "{\"prompt\": \"a dot\", \"width\": 64, \"height\": 64, "
                + "\"num_inference_steps\": 2}", OUTAGE_KEY);
        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(503);
        assertThat(json(refused).path("error").path("code").asText()).isEqualTo("JOB_STORE_UNAVAILABLE");
        assertThat(refused.headers().firstValue("Retry-After")).isPresent();
        assertThat(get(baseB, "/jobs/0000", KEY).statusCode()).isEqualTo(503);
        assertThat(post(baseA, "/text-to-image", "{\"prompt\": \"a dot\", \"width\": 64, \"height\": 64, "
                + "\"num_inference_steps\": 2, \"seed\": 1}", OUTAGE_KEY).statusCode()).as("synchronous generation works")
                .isEqualTo(200);
        assertThat(get(baseA, "/q/health/ready", null).statusCode()).as("still ready").isEqualTo(200);
        assertThat(a.isAlive() && b.isAlive()).isTrue();

        startRedis();
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        // job lookups are not rate-limited: 404 for an unknown job means the store answers again
        while (get(baseA, "/jobs/0000", OUTAGE_KEY).statusCode() != 404
                || get(baseB, "/jobs/0000", OUTAGE_KEY).statusCode() != 404) {
            assertThat(System.nanoTime()).as("the job store comes back").isLessThan(until);
            Thread.sleep(250);
        }
        HttpResponse<String> back = post(baseA, "/jobs", "{\"prompt\": \"a dot\", \"width\": 64, \"height\": 64, "
                + "\"num_inference_steps\": 2, \"seed\": 2}", OUTAGE_KEY);
        assertThat(back.statusCode()).as(back.body()).isEqualTo(202);
        JsonNode done = awaitStatusOf(baseB, json(back).path("id").asText(), OUTAGE_KEY, "succeeded");
        assertThat(done.path("result").path("image").asText()).isNotEmpty();
    }
}
