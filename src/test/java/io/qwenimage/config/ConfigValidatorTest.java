package io.qwenimage.config;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import io.smallrye.config.common.MapBackedConfigSource;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigValidatorTest {

    static QwenConfig config(Map<String, String> values) {
        // Quarkus' own converter for "30s"-style durations, which plain SmallRye Config lacks
        SmallRyeConfig c = new SmallRyeConfigBuilder().withMapping(QwenConfig.class)
                .withConverter(java.time.Duration.class, 100, new io.quarkus.runtime.configuration.DurationConverter())
                .withSources(new MapBackedConfigSource("test", values) { }).build();
        return c.getConfigMapping(QwenConfig.class);
    }

    @Test
    void defaultsAreValid() {
        ConfigValidator.validate(config(Map.of()));
    }

    @Test
    void eachInvalidValueNamesItsKey() {
        assertThatThrownBy(() -> ConfigValidator.validate(config(Map.of("qwen.model.device", "tpu",
                "qwen.queue.workers", "0", "qwen.generation.scheduler", "k_lms", "qwen.model.path", "/no/such"))))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("qwen.model.device: execution provider must be cpu, cuda or auto")
                .hasMessageContaining("qwen.queue.workers: must be positive")
                .hasMessageContaining("qwen.generation.scheduler: unknown scheduler 'k_lms'")
                .hasMessageContaining("qwen.model.path: '/no/such' is not a directory");
    }

    @Test
    void tlsNeedsBothFilesAndThemReadable() {
        assertThatThrownBy(() -> ConfigValidator.validate(config(Map.of("qwen.server.tls-cert", "/no/cert.pem"))))
                .hasMessageContaining("qwen.server.tls-cert and qwen.server.tls-key: give both or neither")
                .hasMessageContaining("qwen.server.tls-cert: '/no/cert.pem' cannot be read");
    }
}
