package io.qwenimage.security;

import io.qwenimage.config.QwenConfig;
import io.quarkus.runtime.Startup;
import io.quarkus.runtime.configuration.MemorySize;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Refuses to start with Quarkus HTTP settings that would quietly undo our guards: CORS allowing any origin with
 * credentials, client addresses taken from {@code X-Forwarded-For} of any peer, and a body limit below what a
 * valid upload needs.
 */
@Startup
@ApplicationScoped
public class HttpSettingsCheck {

    private static final Logger LOG = Logger.getLogger(HttpSettingsCheck.class);

    @ConfigProperty(name = "quarkus.http.cors.enabled", defaultValue = "false")
    boolean corsEnabled;

    @ConfigProperty(name = "quarkus.http.cors.origins")
    Optional<List<String>> corsOrigins;

    @ConfigProperty(name = "quarkus.http.cors.access-control-allow-credentials")
    Optional<Boolean> corsCredentials;

    @ConfigProperty(name = "quarkus.http.proxy.proxy-address-forwarding", defaultValue = "false")
    boolean forwarding;

    @ConfigProperty(name = "quarkus.http.proxy.trusted-proxies")
    Optional<List<String>> trustedProxies;

    @ConfigProperty(name = "quarkus.http.limits.max-body-size")
    Optional<MemorySize> maxBodySize;

    @ConfigProperty(name = "quarkus.http.limits.max-form-attribute-size", defaultValue = "2048")
    MemorySize maxFormAttributeSize;

    private final QwenConfig config;

    public HttpSettingsCheck(QwenConfig config) {
        this.config = config;
    }

    @PostConstruct
    void check() {
        List<String> problems = problems(corsEnabled, corsOrigins.orElse(List.of()), corsCredentials.orElse(false),
                forwarding, trustedProxies.orElse(List.of()));
        if (!problems.isEmpty()) {
            throw new IllegalStateException("unsafe HTTP configuration:\n  " + String.join("\n  ", problems));
        }
        long needed = HttpGuards.maxRequestBody(config.server().maxFileSize());
        if (maxBodySize.isPresent() && maxBodySize.get().asLongValue() < needed) {
            LOG.warnf("quarkus.http.limits.max-body-size (%d bytes) is below what an upload of "
                    + "qwen.server.max-file-size needs as base64 JSON (%d bytes): such uploads get a bare 413",
                    maxBodySize.get().asLongValue(), needed);
        }
        long prompt = promptBytes(config.limits().maxPromptLength());
        if (maxFormAttributeSize.asLongValue() < prompt) {
            LOG.warnf("quarkus.http.limits.max-form-attribute-size (%d bytes) is below the longest prompt in UTF-8 "
                    + "(qwen.limits.max-prompt-length x 3 = %d bytes): multipart requests with such prompts get 413 "
                    + "where JSON gets an answer", maxFormAttributeSize.asLongValue(), prompt);
        }
    }

    /** UTF-8 bytes of a prompt of {@code chars} UTF-16 units: at most 3 each (a surrogate pair is 4 for 2). */
    static long promptBytes(int chars) {
        return 3L * chars;
    }

    /** The reasons to refuse these settings; empty when they are safe. */
    static List<String> problems(boolean cors, List<String> origins, boolean credentials, boolean forwarding,
                                 List<String> trusted) {
        List<String> problems = new ArrayList<>();
        boolean anyOrigin = origins.stream().map(String::trim)
                .anyMatch(o -> o.equals("*") || o.equals("/.*/") || o.equals("/.+/"));
        if (cors && anyOrigin && credentials) {
            problems.add("quarkus.http.cors.origins allows any origin while "
                    + "quarkus.http.cors.access-control-allow-credentials is true: list the origins");
        }
        if (forwarding && trusted.stream().allMatch(String::isBlank)) {
            problems.add("quarkus.http.proxy.proxy-address-forwarding is on without "
                    + "quarkus.http.proxy.trusted-proxies: any client could choose its address via X-Forwarded-For");
        }
        return problems;
    }
}
