package io.qwenimage.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qwenimage.api.HealthResource;
import io.qwenimage.config.QwenConfig;
import io.qwenimage.health.ModelStartupCheck;
import io.qwenimage.health.ReadinessCheck;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.time.Duration;
import java.util.Map;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.junit.jupiter.api.Test;

/** Before the model is loaded and warmed up, nothing says ready and generations are refused with 503. */
class StartupStateTest {

    @Test
    void whileLoadingHealthIs503AndTheProbesAreDown() {
        QwenConfig config = new SmallRyeConfigBuilder().withMapping(QwenConfig.class)
                .withConverter(Duration.class, 100, new io.quarkus.runtime.configuration.DurationConverter())
                .build().getConfigMapping(QwenConfig.class);
        GenerationService loading = new GenerationService(config, Duration.ofSeconds(5), null);   // not started yet

        var health = new HealthResource(loading).health();
        assertThat(health.getStatus()).isEqualTo(503);
        @SuppressWarnings("unchecked")
        Map<String, Object> body = (Map<String, Object>) health.getEntity();
        assertThat(body).containsEntry("status", "starting").containsEntry("model_loaded", false);
        assertThat(new ModelStartupCheck(loading).call().getStatus()).isEqualTo(HealthCheckResponse.Status.DOWN);
        assertThat(new ReadinessCheck(loading).call().getStatus()).isEqualTo(HealthCheckResponse.Status.DOWN);
        assertThatThrownBy(loading::readyModel).isInstanceOf(ServiceNotReadyException.class)
                .hasMessageContaining("still loading");
    }
}
