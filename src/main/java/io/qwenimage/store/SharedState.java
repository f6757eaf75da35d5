package io.qwenimage.store;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.qwenimage.config.QwenConfig;
import io.qwenimage.jobs.InMemoryJobStore;
import io.qwenimage.jobs.JobStore;
import io.qwenimage.security.SharedBuckets;
import io.qwenimage.security.SharedLimits;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * What this replica shares with the others, from {@code qwen.jobs.store}: {@code memory} keeps job records, rate
 * limits and cached results in this process; {@code redis} keeps them in Redis ({@code quarkus.redis.hosts}) so
 * that any replica answers for any job and a key's limit holds across replicas. The Redis client is only looked up
 * when Redis is chosen.
 */
@ApplicationScoped
public class SharedState implements SharedLimits {

    private static final Logger LOG = Logger.getLogger(SharedState.class);

    private final JobStore jobs;
    private final SharedBuckets buckets;
    private final ResultCache cache;
    private final String replica;

    public SharedState(QwenConfig config, Instance<ReactiveRedisDataSource> reactive, ObjectMapper json) {
        this.replica = config.jobs().replica().filter(r -> !r.isBlank()).orElseGet(SharedState::hostName);
        boolean shared = "redis".equals(config.jobs().store());
        RedisCalls calls = shared ? calls(config.jobs().redis()) : null;
        if (shared) {
            this.jobs = new RedisJobStore(reactive.get(), calls, json, config.jobs().maxResultBytesPerOwner());
            this.buckets = new RedisBuckets(reactive.get(), calls);
            LOG.infof("job records, rate limits and cached results shared through Redis (replica %s)", replica);
        } else {
            this.jobs = new InMemoryJobStore(config.jobs().maxResultBytes(), config.jobs().maxResultBytesPerOwner());
            this.buckets = null;
        }
        QwenConfig.Cache c = config.cache();
        this.cache = !c.enabled() ? null : shared ? new RedisResultCache(reactive.get(), calls, json, c.ttl())
                : new InMemoryResultCache(c.ttl(), c.maxBytes());
    }

    /** One time limit and one breaker for every Redis call: it is one Redis, whoever calls it. */
    private static RedisCalls calls(QwenConfig.Jobs.Redis c) {
        CircuitBreaker breaker = new CircuitBreaker(c.breakerFailures(), c.breakerCoolDown(), System::nanoTime,
                new CircuitBreaker.Listener() {
                    @Override
                    public void opened(String why) {
                        LOG.warnf("Redis failing or not answering within %d ms (%s): circuit open; rate limits hold "
                                + "per replica, the result cache is skipped and asynchronous jobs answer 503 "
                                + "JOB_STORE_UNAVAILABLE; probing again every %ds", c.timeout().toMillis(), why,
                                c.breakerCoolDown().toSeconds());
                    }

                    @Override
                    public void closed() {
                        LOG.info("Redis answers again: circuit closed; shared rate limits, cache and jobs are back");
                    }
                });
        return new RedisCalls(c.timeout(), breaker);
    }

    /** Where asynchronous job records live. */
    public JobStore jobs() {
        return jobs;
    }

    @Override
    public Optional<SharedBuckets> buckets() {
        return Optional.ofNullable(buckets);
    }

    /** The result cache, when enabled. */
    public Optional<ResultCache> cache() {
        return Optional.ofNullable(cache);
    }

    /** This replica's name in job records. */
    public String replica() {
        return replica;
    }

    private static String hostName() {
        String env = System.getenv("HOSTNAME");
        if (env != null && !env.isBlank()) {
            return env;
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "replica-" + UUID.randomUUID().toString().substring(0, 8);
        }
    }
}
