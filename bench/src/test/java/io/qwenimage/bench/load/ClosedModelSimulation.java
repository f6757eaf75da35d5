package io.qwenimage.bench.load;

import static io.gatling.javaapi.core.CoreDsl.constantConcurrentUsers;

import io.gatling.javaapi.core.Simulation;
import java.time.Duration;

/**
 * Closed model: {@code -Dclients=N} clients, each sending its next request as soon as it has the answer, for
 * {@code -Dduration} seconds. Throughput at N clients against 1 client is what dynamic batching is judged by.
 */
public class ClosedModelSimulation extends Simulation {

    static final int CLIENTS = Integer.getInteger("clients", 1);

    {
        setUp(GenerationLoad.scenarioNamed(CLIENTS + " closed-loop clients")
                .injectClosed(constantConcurrentUsers(CLIENTS).during(Duration.ofSeconds(
                        GenerationLoad.DURATION_SECONDS))))
                .protocols(GenerationLoad.protocol());
    }
}
