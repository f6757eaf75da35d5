package io.qwenimage.bench.load;

import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;

import io.gatling.javaapi.core.Simulation;
import java.time.Duration;

/**
 * Open model: requests arrive at {@code -Drate} per second whatever the service's pace (as from many independent
 * users), for {@code -Dduration} seconds. Above capacity the queue fills and the service answers 503 at once;
 * the report shows how many and how fast.
 */
public class OpenModelSimulation extends Simulation {

    static final double RATE = Double.parseDouble(System.getProperty("rate", "5"));

    {
        setUp(GenerationLoad.scenarioNamed(RATE + " requests/s arriving")
                .injectOpen(constantUsersPerSec(RATE).during(Duration.ofSeconds(GenerationLoad.DURATION_SECONDS))
                        .randomized()))
                .protocols(GenerationLoad.protocol());
    }
}
