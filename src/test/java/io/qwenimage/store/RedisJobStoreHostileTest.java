package io.qwenimage.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.qwenimage.jobs.JobRecord;
import io.qwenimage.jobs.JobStoreUnavailableException;
import io.quarkus.redis.runtime.datasource.ReactiveRedisDataSourceImpl;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.mutiny.redis.client.RedisAPI;
import io.vertx.redis.client.RedisOptions;
import java.io.File;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The Redis job store against a real {@code redis-server} of its own (issue 16, item 12: each owner's share and
 * the tombstones that answer 410) and against a black hole (item 2: each call ends within its time limit, and the
 * breaker then refuses at once). Skipped where redis-server is not installed ({@code .ci/run} installs it).
 */
class RedisJobStoreHostileTest {

    final Vertx vertx = Vertx.vertx();
    final List<AutoCloseable> closing = new CopyOnWriteArrayList<>();
    final List<String> announced = new CopyOnWriteArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : closing) {
            c.close();
        }
        vertx.closeAndAwait();
    }

    RedisJobStore store(int port, Duration timeout, long perOwnerBytes) {
        Redis client = Redis.createClient(vertx, new RedisOptions().setConnectionString("redis://127.0.0.1:" + port));
        closing.add(client::close);
        var breaker = new CircuitBreaker(2, Duration.ofMinutes(1), System::nanoTime, new CircuitBreaker.Listener() {
            @Override
            public void opened(String why) {
                announced.add("opened");
            }

            @Override
            public void closed() {
                announced.add("closed");
            }
        });
        return new RedisJobStore(new ReactiveRedisDataSourceImpl(vertx, client, RedisAPI.api(client)),
                new RedisCalls(timeout, breaker), new ObjectMapper(), perOwnerBytes);
    }

    int redisServer() throws Exception {
        assumeTrue(List.of(System.getenv().getOrDefault("PATH", "").split(":")).stream()
                .anyMatch(dir -> Files.isExecutable(Path.of(dir, "redis-server"))), "redis-server is not installed");
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Process redis = new ProcessBuilder("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no").redirectErrorStream(true)
                .redirectOutput(File.createTempFile("qwen-redis", ".log")).start();
        closing.add(() -> {
            redis.destroy();
            redis.waitFor(10, TimeUnit.SECONDS);
        });
        for (long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10); ; ) {
            try (Socket ignored = new Socket("127.0.0.1", port)) {
                return port;
            } catch (java.io.IOException e) {
                assertThat(System.nanoTime()).as("redis-server listens").isLessThan(until);
                Thread.sleep(50);
            }
        }
    }

    static JobRecord finished(String id, String owner) {
        return new JobRecord(id, owner, "here", "succeeded", "{\"pictures\":\"" + "x".repeat(200) + "\"}");
    }

    @Test
    void eachOwnerHasItsShareAndItsEvictedJobsAnswerExpired() throws Exception {
        RedisJobStore store = store(redisServer(), Duration.ofSeconds(2), 500);
        store.save(finished("b-1", "bob"), Duration.ofMinutes(10));
        for (int i = 0; i < 20; i++) {
            store.save(finished("a-" + i, "alice"), Duration.ofMinutes(10));
        }

        assertThat(store.find("b-1")).as("another caller's result").isPresent();
        assertThat(store.find("a-19")).isPresent();
        assertThat(store.find("a-0")).isEmpty();
        assertThat(store.expired("alice", "a-0")).isTrue();
        assertThat(store.expired("bob", "a-0")).as("nothing leaks to another caller").isFalse();
        assertThat(store.expired("alice", "never-existed")).isFalse();
        assertThat(store.expired("alice", "a-19")).isFalse();
    }

    @Test
    void aRecordThatRedisExpiredAnswersExpiredToo() throws Exception {
        RedisJobStore store = store(redisServer(), Duration.ofSeconds(2), 10_000);
        store.save(finished("a-1", "alice"), Duration.ofMillis(1));
        Thread.sleep(20);       // Redis' own clock: the record's PX has passed

        assertThat(store.find("a-1")).isEmpty();
        assertThat(store.expired("alice", "a-1")).isTrue();
    }

    @Test
    void aBlackHoledRedisFailsEachCallWithinItsLimitAndThenAtOnce() throws Exception {
        ServerSocket hole = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        List<Socket> held = new CopyOnWriteArrayList<>();
        Thread acceptor = new Thread(() -> {
            while (!hole.isClosed()) {
                try {
                    held.add(hole.accept());
                } catch (java.io.IOException e) {
                    return;
                }
            }
        });
        acceptor.setDaemon(true);
        acceptor.start();
        closing.add(hole);
        RedisJobStore store = store(hole.getLocalPort(), Duration.ofMillis(300), 10_000);

        for (int i = 0; i < 2; i++) {
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> store.find("x")).isInstanceOf(JobStoreUnavailableException.class);
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("call %d", i).isLessThan(Duration.ofSeconds(2));
        }
        assertThat(announced).containsExactly("opened");
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> store.save(finished("a", "alice"), Duration.ofMinutes(1)))
                .isInstanceOf(JobStoreUnavailableException.class);
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("refused by the open breaker")
                .isLessThan(Duration.ofMillis(100));
        assertThat(store.available()).isFalse();
    }
}
