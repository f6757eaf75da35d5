package io.qwenimage.config;

import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigSourceFactory;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.PropertiesConfigSource;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import org.eclipse.microprofile.config.spi.ConfigSource;

/**
 * Turns {@code qwen.server.tls-cert} / {@code tls-key} into Quarkus' TLS keys
 * ({@code quarkus.tls.key-store.pem.0.cert} / {@code .key}). Quarkus' own keys contain a map index, which
 * environment variables cannot express, and an empty default would be an error; so the Quarkus keys exist only
 * when ours are set ({@code QWEN_SERVER_TLS_CERT}, {@code QWEN_SERVER_TLS_KEY} work in containers).
 */
public class TlsConfigSourceFactory implements ConfigSourceFactory {

    @Override
    public Iterable<ConfigSource> getConfigSources(ConfigSourceContext context) {
        ConfigValue cert = context.getValue("qwen.server.tls-cert");
        ConfigValue key = context.getValue("qwen.server.tls-key");
        Map<String, String> tls = new HashMap<>();
        if (cert != null && cert.getValue() != null && !cert.getValue().isBlank()) {
            tls.put("quarkus.tls.key-store.pem.0.cert", cert.getValue());
        }
        if (key != null && key.getValue() != null && !key.getValue().isBlank()) {
            tls.put("quarkus.tls.key-store.pem.0.key", key.getValue());
        }
        // below system properties and environment variables, so that Quarkus' own keys given there still win
        return List.of(new PropertiesConfigSource(tls, "qwen-tls", 240));
    }

    @Override
    public OptionalInt getPriority() {
        return OptionalInt.of(100);
    }
}
