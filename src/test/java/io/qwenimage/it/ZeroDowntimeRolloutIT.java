package io.qwenimage.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A rolling restart behind a real load balancer: two instances of the jar behind HAProxy, which checks
 * /q/health/ready every 300 ms; clients generate without pause while instance 1 and then instance 2 get SIGTERM,
 * drain, exit and start again, as a Kubernetes RollingUpdate does. Not one request may fail.
 */
class ZeroDowntimeRolloutIT {

    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    static boolean haproxyInstalled() {
        return List.of(System.getenv().getOrDefault("PATH", "").split(":")).stream()
                .anyMatch(dir -> Files.isExecutable(Path.of(dir, "haproxy")));
    }

    static Process instance(int port) throws Exception {
        File log = File.createTempFile("qwen-roll-" + port, ".log");
        return new ProcessBuilder(System.getProperty("java.home") + "/bin/java", "-Dquarkus.http.port=" + port,
                "-Dqwen.security.rate-limit.enabled=false", "-jar", "target/quarkus-app/quarkus-run.jar")
                .redirectErrorStream(true).redirectOutput(log).start();
    }

    static boolean ready(int port) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/q/health/ready"))
                    .build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (Exception e) {
            return false;
        }
    }

    static void awaitReady(int port) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (!ready(port)) {
            assertThat(System.nanoTime()).as("instance on " + port + " ready").isLessThan(until);
            Thread.sleep(200);
        }
        Thread.sleep(1000); // HAProxy marks it up after two good checks
    }

    @Test
    void aRollingRestartOfBothInstancesFailsNoRequest() throws Exception {
        if ("1".equals(System.getenv("QWEN_TEST_REQUIRE_HAPROXY"))) {
            assertThat(haproxyInstalled()).as("haproxy on PATH").isTrue();
        }
        assumeTrue(haproxyInstalled(), "haproxy is not installed; .ci/run has it");
        int[] ports = {ProductionConfigIT.freePort(), ProductionConfigIT.freePort()};
        int lb = ProductionConfigIT.freePort();
        Path config = Files.createTempFile("qwen-haproxy", ".cfg");
        Files.writeString(config, String.join("\n",
                "defaults",
                "    mode http",
                "    timeout connect 2s",
                "    timeout client 60s",
                "    timeout server 60s",
                "    option http-buffer-request",
                "    retries 3",
                // a request that reached an instance in the instant between its SIGTERM and the next check
                "    retry-on conn-failure empty-response 503",
                "    option redispatch 1",
                "frontend api",
                "    bind 127.0.0.1:" + lb,
                "    default_backend qwen",
                "backend qwen",
                "    balance roundrobin",
                "    option httpchk GET /q/health/ready",
                "    http-check expect status 200",
                "    default-server inter 300ms fall 1 rise 2",
                "    server one 127.0.0.1:" + ports[0] + " check",
                "    server two 127.0.0.1:" + ports[1] + " check",
                ""));
        Process[] apps = {instance(ports[0]), instance(ports[1])};
        Process haproxy = new ProcessBuilder("haproxy", "-db", "-f", config.toString())
                .redirectErrorStream(true).redirectOutput(File.createTempFile("qwen-haproxy", ".log")).start();
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicInteger served = new AtomicInteger();
        AtomicInteger servedDuringRoll = new AtomicInteger();
        AtomicBoolean rolling = new AtomicBoolean();
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        List<Thread> clients = new ArrayList<>();
        try {
            awaitReady(ports[0]);
            awaitReady(ports[1]);
            for (int c = 0; c < 2; c++) {
                Thread t = new Thread(() -> {
                    while (running.get()) {
                        try {
                            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(
                                    URI.create("http://127.0.0.1:" + lb + "/text-to-image"))
                                    .timeout(Duration.ofSeconds(60)).header("Content-Type", "application/json")
                                    .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\": \"a red circle\", "
                                            + "\"num_inference_steps\": 2}")).build(),
                                    HttpResponse.BodyHandlers.ofString());
                            if (r.statusCode() == 200) {
                                served.incrementAndGet();
                                if (rolling.get()) {
                                    servedDuringRoll.incrementAndGet();
                                }
                            } else {
                                failures.add(r.statusCode() + " " + r.body());
                            }
                        } catch (Exception e) {
                            failures.add(e.toString());
                        }
                    }
                }, "client-" + c);
                t.start();
                clients.add(t);
            }
            Thread.sleep(2000);
            rolling.set(true);
            for (int i = 0; i < 2; i++) {
                apps[i].destroy(); // SIGTERM: readiness goes down, admitted generations finish
                assertThat(apps[i].waitFor(90, TimeUnit.SECONDS)).isTrue();
                assertThat(apps[i].exitValue()).isZero();
                apps[i] = instance(ports[i]);
                awaitReady(ports[i]);
            }
            rolling.set(false);
            Thread.sleep(1000);
        } finally {
            running.set(false);
            for (Thread t : clients) {
                t.join(60_000);
            }
            haproxy.destroy();
            for (Process app : apps) {
                app.destroy();
                app.waitFor(30, TimeUnit.SECONDS);
                app.destroyForcibly();
            }
        }
        System.out.printf("rolling restart: %d requests served, %d of them during the roll, %d failed%n",
                served.get(), servedDuringRoll.get(), failures.size());
        assertThat(failures).as("failed requests").isEmpty();
        assertThat(servedDuringRoll.get()).as("requests kept flowing during the roll").isGreaterThan(10);
    }
}
