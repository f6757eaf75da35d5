package io.qwenimage.bench.load;

import static io.gatling.javaapi.core.CoreDsl.StringBody;
import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.header;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.http.HttpProtocolBuilder;
import java.util.concurrent.ThreadLocalRandom;

/**
 * What the load simulations send: text-to-image requests of one size and step count, random seed, one of four
 * prompts. Settings come from system properties (-Dsize=64 -Dsteps=20 ...), so one simulation class serves many
 * runs. Anything but 200 is KO, so Gatling's report counts rejections (503 SERVICE_OVERLOADED, with their
 * latency) and errors by status in its "Errors" table.
 */
final class GenerationLoad {

    static final String BASE_URL = System.getProperty("baseUrl", "http://localhost:8000");
    static final int SIZE = Integer.getInteger("size", 64);
    static final int STEPS = Integer.getInteger("steps", 20);
    static final int DURATION_SECONDS = Integer.getInteger("duration", 60);
    static final String API_KEY = System.getProperty("apiKey", "");
    static final String[] PROMPTS = {"a red circle on a blue background", "a green square on a white background",
            "a yellow triangle on a black background", "an orange circle on a purple background"};

    private GenerationLoad() {
    }

    static HttpProtocolBuilder protocol() {
        HttpProtocolBuilder p = http.baseUrl(BASE_URL).contentTypeHeader("application/json")
                .acceptHeader("application/json").shareConnections();
        return API_KEY.isEmpty() ? p : p.header("X-API-Key", API_KEY);
    }

    static ChainBuilder generate() {
        return exec(http("text-to-image " + SIZE + "px " + STEPS + " steps").post("/text-to-image")
                .body(StringBody(session -> {
                    ThreadLocalRandom random = ThreadLocalRandom.current();
                    return "{\"prompt\": \"" + PROMPTS[random.nextInt(PROMPTS.length)] + "\", \"width\": " + SIZE
                            + ", \"height\": " + SIZE + ", \"num_inference_steps\": " + STEPS + ", \"seed\": "
                            + random.nextInt(1_000_000) + "}";
                }))
                .check(status().is(200))
                .check(header("Server-Timing").optional().saveAs("timing")));
    }

    static ScenarioBuilder scenarioNamed(String name) {
        return scenario(name).exec(generate());
    }
}
