package io.qwenimage.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.qwenimage.jobs.JobRecord;
import io.qwenimage.jobs.JobStore;
import io.qwenimage.jobs.JobStoreUnavailableException;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.redis.datasource.pubsub.PubSubCommands.RedisSubscriber;
import io.quarkus.redis.datasource.value.SetArgs;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * Job records in Redis, readable by every replica: {@code qwen:job:<id>} holds the record as JSON with a time to
 * live; {@code qwen:idem:<owner>:<key>} binds idempotency keys ({@code SET NX}); a cancel is both published on
 * {@code qwen:cancel} (the replica running the job acts at once) and left as {@code qwen:cancel:<id>} for ten
 * minutes (polled, so a cancel sent while the pub/sub link was down still arrives).
 *
 * <p>Blocking calls: used from worker threads only. A failed call marks the store unavailable and throws
 * {@link JobStoreUnavailableException}; the next successful one marks it available again.
 */
public final class RedisJobStore implements JobStore {

    private static final Logger LOG = Logger.getLogger(RedisJobStore.class);
    private static final String CHANNEL = "qwen:cancel";
    private static final Duration CANCEL_FLAG_TTL = Duration.ofMinutes(10);

    private final RedisDataSource redis;
    private final ObjectMapper json;
    private final List<Consumer<String>> listeners = new CopyOnWriteArrayList<>();
    private volatile boolean available = true;
    private volatile RedisSubscriber subscriber;

    public RedisJobStore(RedisDataSource redis, ObjectMapper json) {
        this.redis = redis;
        this.json = json;
    }

    @Override
    public String kind() {
        return "redis";
    }

    @Override
    public void save(JobRecord record, Duration ttl) {
        String value = write(Map.of("id", record.id(), "owner", record.owner(), "replica", record.replica(),
                "status", record.status(), "document", record.document()));
        call(() -> {
            redis.value(String.class).set("qwen:job:" + record.id(), value, new SetArgs().px(ttl));
            return null;
        });
    }

    @Override
    public Optional<JobRecord> find(String id) {
        String value = call(() -> redis.value(String.class).get("qwen:job:" + id));
        if (value == null) {
            return Optional.empty();
        }
        try {
            Map<?, ?> m = json.readValue(value, Map.class);
            return Optional.of(new JobRecord((String) m.get("id"), (String) m.get("owner"), (String) m.get("replica"),
                    (String) m.get("status"), (String) m.get("document")));
        } catch (JsonProcessingException e) {
            LOG.warnf("unreadable job record %s in Redis: %s", id, e.getMessage());
            return Optional.empty();
        }
    }

    @Override
    public Optional<String> bindIdempotencyKey(String owner, String key, String id, Duration ttl) {
        String k = "qwen:idem:" + owner + ":" + key;
        return call(() -> {
            String earlier = redis.value(String.class).setGet(k, id, new SetArgs().nx().px(ttl));
            return Optional.ofNullable(earlier);
        });
    }

    @Override
    public Optional<String> boundJob(String owner, String key) {
        return Optional.ofNullable(call(() -> redis.value(String.class).get("qwen:idem:" + owner + ":" + key)));
    }

    @Override
    public void requestCancel(String id) {
        call(() -> {
            redis.value(String.class).set("qwen:cancel:" + id, "1", new SetArgs().px(CANCEL_FLAG_TTL));
            redis.pubsub(String.class).publish(CHANNEL, id);
            return null;
        });
    }

    @Override
    public boolean cancelRequested(String id) {
        return call(() -> redis.key().exists("qwen:cancel:" + id));
    }

    @Override
    public void onCancelRequest(Consumer<String> listener) {
        listeners.add(listener);
        subscribe();
    }

    @Override
    public boolean available() {
        return available;
    }

    /** (Re)subscribes to cancel requests when not subscribed; called again after Redis comes back. */
    void subscribe() {
        if (subscriber != null || listeners.isEmpty()) {
            return;
        }
        try {
            subscriber = redis.pubsub(String.class).subscribe(CHANNEL, id -> listeners.forEach(l -> l.accept(id)));
        } catch (RuntimeException e) {
            LOG.debugf("cannot subscribe to %s yet: %s", CHANNEL, e.getMessage());
        }
    }

    private <T> T call(Supplier<T> command) {
        try {
            T value = command.get();
            if (!available) {
                LOG.info("Redis job store reachable again");
                available = true;
                resubscribe();
            }
            return value;
        } catch (RuntimeException e) {
            if (available) {
                LOG.warnf("Redis job store unreachable (%s): asynchronous jobs answer 503 until it is back",
                        e.getMessage());
            }
            available = false;
            throw new JobStoreUnavailableException("the shared job store (Redis) is unreachable: " + e.getMessage(),
                    e);
        }
    }

    private void resubscribe() {
        RedisSubscriber old = subscriber;
        subscriber = null;
        if (old != null) {
            try {
                old.unsubscribe();
            } catch (RuntimeException e) {
                // the old connection is gone anyway
            }
        }
        subscribe();
    }

    private String write(Object value) {
        try {
            return json.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
