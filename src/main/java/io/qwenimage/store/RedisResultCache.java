package io.qwenimage.store;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.redis.datasource.value.SetArgs;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * The result cache shared by replicas: {@code qwen:cache:<key>} holds the answer as JSON (pictures in base64)
 * with the cache's time to live; Redis' own memory policy evicts beyond that. Blocking: worker threads only.
 * Any Redis failure is a miss (logged at DEBUG); through {@link RedisCalls}, a slow Redis costs at most its short
 * time limit, and nothing at all while the circuit breaker is open (the cache is skipped).
 */
public final class RedisResultCache implements ResultCache {

    private static final Logger LOG = Logger.getLogger(RedisResultCache.class);

    private final ReactiveRedisDataSource redis;
    private final RedisCalls calls;
    private final ObjectMapper json;
    private final Duration ttl;

    public RedisResultCache(ReactiveRedisDataSource redis, RedisCalls calls, ObjectMapper json, Duration ttl) {
        this.redis = redis;
        this.calls = calls;
        this.json = json;
        this.ttl = ttl;
    }

    @Override
    public Optional<CachedAnswer> get(String key) {
        try {
            String value = calls.await(() -> redis.value(String.class).get("qwen:cache:" + key));
            if (value == null) {
                return Optional.empty();
            }
            Map<?, ?> m = json.readValue(value, Map.class);
            List<Long> seeds = ((List<?>) m.get("seeds")).stream().map(s -> ((Number) s).longValue()).toList();
            List<byte[]> images = ((List<?>) m.get("images")).stream()
                    .map(i -> Base64.getDecoder().decode((String) i)).toList();
            return Optional.of(new CachedAnswer((String) m.get("format"), seeds, (String) m.get("truncated"),
                    images));
        } catch (Exception e) {
            LOG.debugf("result cache miss (Redis: %s)", e.getMessage());
            return Optional.empty();
        }
    }

    @Override
    public void put(String key, CachedAnswer answer) {
        try {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("format", answer.format());
            m.put("seeds", answer.seeds());
            m.put("truncated", answer.truncatedPrompt());
            m.put("images", answer.images().stream().map(b -> Base64.getEncoder().encodeToString(b)).toList());
            String value = json.writeValueAsString(m);
            calls.await(() -> redis.value(String.class).set("qwen:cache:" + key, value, new SetArgs().px(ttl)));
        } catch (Exception e) {
            LOG.debugf("result not cached (Redis: %s)", e.getMessage());
        }
    }
}
