package io.qwenimage.security;

import io.qwenimage.config.QwenConfig;
import io.quarkus.runtime.Startup;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * The keys in force: from {@code qwen.security.api-keys} and {@code qwen.security.api-keys-file}. The file is
 * re-read when its modification time changes (checked at most every few seconds), so a rotated Kubernetes secret
 * takes effect without a restart; a file that no longer parses leaves the previous keys in force.
 */
@Startup
@ApplicationScoped
public class ApiKeyStore {

    private static final Logger LOG = Logger.getLogger(ApiKeyStore.class);
    private static final long RECHECK_NANOS = 5_000_000_000L;

    private final QwenConfig.Security config;
    private final Optional<Path> file;
    private volatile ApiKeys keys = ApiKeys.none();
    private volatile FileTime fileTime;
    private volatile long lastCheck;

    public ApiKeyStore(QwenConfig config) {
        this.config = config.security();
        this.file = this.config.apiKeysFile().filter(f -> !f.isBlank()).map(Path::of);
    }

    @PostConstruct
    void load() {
        keys = ApiKeys.parse(config.apiKeys().orElse(List.of()), file);
        fileTime = modified();
        lastCheck = System.nanoTime();
        if (keys.isEmpty()) {
            if (config.requireApiKeys()) {
                throw new IllegalStateException("qwen.security.require-api-keys is true but no API key is "
                        + "configured: set QWEN_SECURITY_API_KEYS or qwen.security.api-keys-file");
            }
            LOG.warn("no API keys are configured: every route is open to anyone who can reach the port "
                    + "(set QWEN_SECURITY_API_KEYS to require keys)");
        } else {
            LOG.infof("API keys in force: %s", describe(keys));
        }
    }

    /** The keys now in force. */
    public ApiKeys keys() {
        if (file.isPresent() && System.nanoTime() - lastCheck > RECHECK_NANOS) {
            reloadIfChanged();
        }
        return keys;
    }

    /** True when callers need a key. */
    public boolean enabled() {
        return !keys().isEmpty();
    }

    private synchronized void reloadIfChanged() {
        if (System.nanoTime() - lastCheck <= RECHECK_NANOS) {
            return;
        }
        lastCheck = System.nanoTime();
        FileTime now = modified();
        if (now == null || now.equals(fileTime)) {
            return;
        }
        try {
            ApiKeys reloaded = ApiKeys.parse(config.apiKeys().orElse(List.of()), file);
            if (reloaded.isEmpty() && config.requireApiKeys()) {
                LOG.errorf("the API key file %s now holds no key; keeping the previous keys", file.get());
                return;
            }
            keys = reloaded;
            fileTime = now;
            LOG.infof("API key file changed; keys in force: %s", describe(reloaded));
        } catch (IllegalArgumentException e) {
            LOG.errorf("the API key file %s no longer parses (%s); keeping the previous keys", file.get(),
                    e.getMessage());
        }
    }

    private FileTime modified() {
        try {
            return file.isPresent() ? Files.getLastModifiedTime(file.get()) : null;
        } catch (IOException e) {
            return null;
        }
    }

    private static String describe(ApiKeys keys) {
        // ids and names only: a key itself is never logged
        return keys.all().stream()
                .map(k -> k.id() + (k.name().equals(k.id()) ? "" : " (" + k.name() + ")") + " "
                        + k.scopes().stream().map(ApiKeyScope::role).sorted().collect(Collectors.joining("+")))
                .collect(Collectors.joining(", "));
    }
}
