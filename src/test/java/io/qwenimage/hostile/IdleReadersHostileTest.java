package io.qwenimage.hostile;

import static io.qwenimage.hostile.HostileProfile.KEY_A;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.qwenimage.jobs.JobRecord;
import io.qwenimage.service.Generations;
import io.qwenimage.store.SharedState;
import io.qwenimage.testing.ServiceReady;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 16, item 3: every reader of a finished job got its own copy of the result (parsed, serialized again and
 * queued for a client that never reads), so 200 idle readers of a 12.6 MB result took gigabytes. Here idle
 * readers (sockets with a small receive buffer that never read) of one finished job with a 12.6 MB result:
 * memory growth stays within a small multiple of one result, progress streams are capped per job, and a stalled
 * stream is disconnected after the drain timeout, freeing its place.
 *
 * <p>Growth is measured as live heap after a full GC plus resident memory outside the heap (the test JVM's heap
 * is pre-touched, so resident memory grows only by native and direct buffers).
 */
@QuarkusTest
@TestProfile(HostileProfile.class)
class IdleReadersHostileTest {

    static final int RESULT_BYTES = 12_600_000;
    static final int READERS = 30;

    @Inject
    SharedState shared;

    @Inject
    Generations generations;

    @ConfigProperty(name = "quarkus.http.test-port")
    int port;

    final List<Socket> readers = new ArrayList<>();

    @BeforeEach
    void waitUntilReady() throws InterruptedException {
        ServiceReady.await();
    }

    @AfterEach
    void closeReaders() throws IOException {
        for (Socket s : readers) {
            s.close();
        }
    }

    /** A finished job of caller A with a 12.6 MB result, stored as the service stores it. */
    String bigFinishedJob() throws Exception {
        String probe = ExpiredJobHostileTest.finishedJob(shared, KEY_A, 21);
        String owner = shared.jobs().find(probe).orElseThrow().owner();
        String id = UUID.randomUUID().toString();
        String document = "{\"id\":\"" + id + "\",\"status\":\"succeeded\",\"status_url\":\"/jobs/" + id
                + "\",\"result\":{\"images\":[\"" + "A".repeat(RESULT_BYTES) + "\"]}}";
        shared.jobs().save(new JobRecord(id, owner, "here", "succeeded", document), Duration.ofMinutes(10));
        return id;
    }

    /** Sends {@code path} and never reads; returns once the answer has begun to arrive. */
    Socket idleReader(String path) throws Exception {
        Socket s = new Socket();
        s.setReceiveBufferSize(4096);
        s.connect(new java.net.InetSocketAddress("localhost", port));
        readers.add(s);
        s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: localhost\r\nX-API-Key: " + KEY_A
                + "\r\nAccept: */*\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
        InputStream in = s.getInputStream();
        for (int i = 0; i < 400 && in.available() == 0; i++) {
            Thread.sleep(25);
        }
        assertThat(in.available()).as("the answer to %s began", path).isPositive();
        return s;
    }

    static String statusLine(Socket s) throws IOException {
        byte[] head = s.getInputStream().readNBytes(12);
        return new String(head, StandardCharsets.US_ASCII);
    }

    /** What has arrived on {@code s} so far (the connection stays open: no waiting for its end). */
    static String readSome(Socket s) throws Exception {
        InputStream in = s.getInputStream();
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 200 && !text.toString().contains("}}"); i++) {
            int n = in.available();
            if (n == 0) {
                Thread.sleep(25);
                continue;
            }
            text.append(new String(in.readNBytes(n), StandardCharsets.UTF_8));
        }
        return text.toString();
    }

    static long memoryInUse() throws IOException {
        System.gc();
        System.gc();
        long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        long rssKb = Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith("VmRSS:"))
                .mapToLong(l -> Long.parseLong(l.replaceAll("\\D", ""))).findFirst().orElse(0);
        return heap + rssKb * 1024;
    }

    @Test
    void idleReadersOfOneBigResultShareOneCopyOfIt() throws Exception {
        String id = bigFinishedJob();
        idleReader("/jobs/" + id).close();      // warm the path up before the baseline
        long before = memoryInUse();

        for (int i = 0; i < READERS; i++) {
            idleReader("/jobs/" + id);
        }
        long growth = memoryInUse() - before;

        System.out.printf("%d idle GET readers of a %d-byte result: memory grew by %d MB%n", READERS, RESULT_BYTES,
                growth / 1_000_000);
        assertThat(growth).as("growth with %d idle readers", READERS).isLessThan(4L * RESULT_BYTES);
        // the whole document still arrives (read as bytes: a JSON tree of 12.6 MB would take the test JVM's heap)
        byte[] answer = given().header("X-API-Key", KEY_A).get("/jobs/" + id).then().statusCode(200)
                .extract().asByteArray();
        assertThat(answer.length).isGreaterThan(RESULT_BYTES);
        assertThat(new String(answer, answer.length - 8, 8, StandardCharsets.US_ASCII)).endsWith("\"]}}");
    }

    @Test
    void progressStreamsAreCappedPerJobAndStalledOnesAreDisconnected() throws Exception {
        String id = bigFinishedJob();
        long before = memoryInUse();
        List<Socket> streams = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            streams.add(idleReader("/jobs/" + id + "/events"));
        }
        Socket refused = idleReader("/jobs/" + id + "/events");
        assertThat(statusLine(refused)).contains("429");
        assertThat(readSome(refused)).contains("TOO_MANY_SUBSCRIBERS");
        System.out.printf("4 idle progress streams of a %d-byte result: memory grew by %d MB%n", RESULT_BYTES,
                (memoryInUse() - before) / 1_000_000);

        // none of them reads its 12.6 MB final event: after the drain timeout (3 s here: long enough that none is
        // cut off while the fifth is still being refused on a slow machine) they are cut off
        for (int i = 0; i < 200 && generations.openProgressStreams() > 0; i++) {
            Thread.sleep(50);
        }
        assertThat(generations.openProgressStreams()).as("streams still open").isZero();
        Socket next = idleReader("/jobs/" + id + "/events");
        assertThat(statusLine(next)).contains("200");
    }
}
