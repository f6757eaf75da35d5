package io.qwenimage.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.qwenimage.jobs.JobRecord;
import io.qwenimage.jobs.JobStore;
import io.qwenimage.jobs.JobStoreUnavailableException;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.redis.datasource.pubsub.ReactivePubSubCommands.ReactiveRedisSubscriber;
import io.quarkus.redis.datasource.value.SetArgs;
import io.smallrye.mutiny.Uni;
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
 * <p>Each owner's finished records share {@code perOwnerBytes}: a Lua script saves a finished record, lists it in
 * {@code qwen:finished:<owner>} (a sorted set by save time, sizes in {@code qwen:sizes:<owner>}) and, past the
 * share, deletes that owner's oldest finished records, leaving their ids in {@code qwen:gone:<owner>} (the newest
 * {@value #TOMBSTONES} ids, a day) so that they answer 410 rather than 404; records that Redis expired meanwhile
 * are moved there too. The script touches keys it builds from the prefix: a standalone Redis or one hash slot.
 *
 * <p>Blocking calls: used from worker threads only. Each goes through {@link RedisCalls} (a short time limit and
 * the shared circuit breaker), so a Redis that is down, slow or silent throws
 * {@link JobStoreUnavailableException} within that limit, and at once while the breaker is open.
 */
public final class RedisJobStore implements JobStore {

    private static final Logger LOG = Logger.getLogger(RedisJobStore.class);
    private static final String CHANNEL = "qwen:cancel";
    private static final Duration CANCEL_FLAG_TTL = Duration.ofMinutes(10);
    private static final int TOMBSTONES = 1000;
    private static final Duration TOMBSTONE_TTL = Duration.ofDays(1);
    private static final String SAVE_FINISHED = "redis.call('set', KEYS[1], ARGV[2], 'PX', ARGV[3]) "
            + "redis.call('zadd', KEYS[2], ARGV[6], ARGV[1]) redis.call('hset', KEYS[3], ARGV[1], ARGV[4]) "
            + "redis.call('zrem', KEYS[4], ARGV[1]) "
            + "local total = 0 local kept = {} "
            + "for _, id in ipairs(redis.call('zrange', KEYS[2], 0, -1)) do "
            + "  if redis.call('exists', ARGV[7] .. id) == 1 then "
            + "    total = total + tonumber(redis.call('hget', KEYS[3], id) or '0') table.insert(kept, id) "
            + "  else redis.call('zrem', KEYS[2], id) redis.call('hdel', KEYS[3], id) "
            + "    redis.call('zadd', KEYS[4], ARGV[6], id) end "
            + "end "
            + "local i = 1 "
            + "while total > tonumber(ARGV[5]) and i < #kept do "
            + "  local id = kept[i] total = total - tonumber(redis.call('hget', KEYS[3], id) or '0') "
            + "  redis.call('del', ARGV[7] .. id) redis.call('zrem', KEYS[2], id) redis.call('hdel', KEYS[3], id) "
            + "  redis.call('zadd', KEYS[4], ARGV[6], id) i = i + 1 "
            + "end "
            + "redis.call('zremrangebyrank', KEYS[4], 0, -(tonumber(ARGV[8]) + 1)) "
            + "redis.call('pexpire', KEYS[2], ARGV[9]) redis.call('pexpire', KEYS[3], ARGV[9]) "
            + "redis.call('pexpire', KEYS[4], ARGV[9]) return total";
    private static final String EXPIRED = "if redis.call('zscore', KEYS[1], ARGV[1]) then return 1 end "
            + "if redis.call('zscore', KEYS[2], ARGV[1]) and redis.call('exists', KEYS[3]) == 0 then return 1 end "
            + "return 0";

    private final ReactiveRedisDataSource redis;
    private final RedisCalls calls;
    private final ObjectMapper json;
    private final long perOwnerBytes;
    private final List<Consumer<String>> listeners = new CopyOnWriteArrayList<>();
    private volatile boolean available = true;
    private volatile Uni<ReactiveRedisSubscriber> subscriber;

    public RedisJobStore(ReactiveRedisDataSource redis, RedisCalls calls, ObjectMapper json, long perOwnerBytes) {
        this.redis = redis;
        this.calls = calls;
        this.json = json;
        this.perOwnerBytes = perOwnerBytes;
    }

    @Override
    public String kind() {
        return "redis";
    }

    @Override
    public void save(JobRecord record, Duration ttl) {
        String value = write(Map.of("id", record.id(), "owner", record.owner(), "replica", record.replica(),
                "status", record.status(), "document", record.document().text()));
        if (!record.terminal()) {
            call(() -> redis.value(String.class).set("qwen:job:" + record.id(), value, new SetArgs().px(ttl)));
            return;
        }
        String o = record.owner();
        call(() -> redis.execute("EVAL", SAVE_FINISHED, "4", "qwen:job:" + record.id(), "qwen:finished:" + o,
                "qwen:sizes:" + o, "qwen:gone:" + o, record.id(), value, Long.toString(ttl.toMillis()),
                Long.toString(record.bytes()), Long.toString(perOwnerBytes),
                Long.toString(System.currentTimeMillis()), "qwen:job:", Integer.toString(TOMBSTONES),
                Long.toString(TOMBSTONE_TTL.toMillis())));
    }

    @Override
    public boolean expired(String owner, String id) {
        if (id == null) {
            return false;
        }
        var answer = call(() -> redis.execute("EVAL", EXPIRED, "3", "qwen:gone:" + owner,
                "qwen:finished:" + owner, "qwen:job:" + id, id));
        return answer != null && answer.toInteger() == 1;
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
        return Optional.ofNullable(call(() -> redis.value(String.class).setGet(k, id, new SetArgs().nx().px(ttl))));
    }

    @Override
    public Optional<String> boundJob(String owner, String key) {
        return Optional.ofNullable(call(() -> redis.value(String.class).get("qwen:idem:" + owner + ":" + key)));
    }

    @Override
    public void requestCancel(String id) {
        call(() -> redis.value(String.class).set("qwen:cancel:" + id, "1", new SetArgs().px(CANCEL_FLAG_TTL))
                .chain(() -> redis.pubsub(String.class).publish(CHANNEL, id)));
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
        return available && calls.available();
    }

    /**
     * Subscribes to cancel requests when not subscribed; without waiting (a silent Redis must not hold the
     * caller), and again after a failed subscription or an outage, at the next call that succeeds.
     */
    void subscribe() {
        if (subscriber != null || listeners.isEmpty()) {
            return;
        }
        Uni<ReactiveRedisSubscriber> pending = redis.pubsub(String.class)
                .subscribe(CHANNEL, id -> listeners.forEach(l -> l.accept(id)))
                .memoize().indefinitely();
        subscriber = pending;
        pending.subscribe().with(ok -> LOG.debugf("subscribed to %s", CHANNEL), e -> {
            LOG.debugf("cannot subscribe to %s yet: %s", CHANNEL, e.getMessage());
            subscriber = null;
        });
    }

    private <T> T call(Supplier<Uni<T>> command) {
        try {
            T value = calls.await(command);
            if (!available) {
                available = true;
                resubscribe();
            }
            return value;
        } catch (RuntimeException e) {
            // the breaker logs the outage once; a failure while it is still closed is at DEBUG
            LOG.debugf("Redis job store call failed: %s", e.getMessage());
            available = false;
            throw new JobStoreUnavailableException("the shared job store (Redis) is unreachable: " + e.getMessage(),
                    e);
        }
    }

    /** After an outage the subscription's connection may be gone: subscribe again on a fresh one. */
    private void resubscribe() {
        Uni<ReactiveRedisSubscriber> old = subscriber;
        subscriber = null;
        if (old != null) {
            old.subscribe().with(s -> s.unsubscribe().subscribe().with(v -> { }, e -> { }), e -> { });
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
