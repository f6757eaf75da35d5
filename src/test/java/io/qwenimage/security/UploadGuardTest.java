package io.qwenimage.security;

import static io.qwenimage.testing.TestImages.pngHeaderOnly;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import io.qwenimage.testing.ServiceReady;
import io.quarkus.test.junit.QuarkusTest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Oversized uploads are refused from their declared length, before their bytes are read; picture bombs are
 * refused from their header; a file's format comes from its bytes. The default 10 MiB upload limit applies.
 */
@QuarkusTest
class UploadGuardTest {

    static final int SIXTY_MB = 60 * 1024 * 1024;

    @ConfigProperty(name = "quarkus.http.test-port")
    int port;

    @BeforeEach
    void waitUntilReady() throws InterruptedException {
        ServiceReady.await();
    }

    /** Bytes allocated on the Java heap by every live thread of this JVM (server and test alike). */
    static long allocatedBytes() {
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        return Arrays.stream(threads.getThreadAllocatedBytes(threads.getAllThreadIds())).filter(b -> b > 0).sum();
    }

    /** Sends a multipart request declaring a 60 MB body, streaming it from one 64 KB buffer; returns the reply. */
    String uploadSixtyMegabytes() throws Exception {
        try (Socket socket = new Socket("localhost", port)) {
            socket.setSoTimeout(30_000);
            String boundary = "qwenboundary";
            String head = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"prompt\"\r\n\r\nx\r\n--"
                    + boundary + "\r\nContent-Disposition: form-data; name=\"image\"; filename=\"big.png\"\r\n"
                    + "Content-Type: image/png\r\n\r\n";
            long length = head.length() + (long) SIXTY_MB + ("\r\n--" + boundary + "--\r\n").length();
            OutputStream out = socket.getOutputStream();
            out.write(("POST /image-to-image HTTP/1.1\r\nHost: localhost\r\nContent-Type: multipart/form-data; "
                    + "boundary=" + boundary + "\r\nContent-Length: " + length + "\r\n\r\n" + head)
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            // the body goes out in the background; the server may answer and close before it is all sent
            CompletableFuture<Void> body = CompletableFuture.runAsync(() -> {
                byte[] chunk = new byte[64 * 1024];
                try {
                    for (int sent = 0; sent < SIXTY_MB; sent += chunk.length) {
                        out.write(chunk);
                    }
                } catch (IOException expected) {
                    // connection closed by the server after its 413
                }
            });
            String reply = readReply(socket.getInputStream());
            body.cancel(true);
            return reply;
        }
    }

    static String readReply(InputStream in) throws IOException {
        ByteArrayOutputStream reply = new ByteArrayOutputStream();
        byte[] buf = new byte[4096];
        int n;
        while ((n = in.read(buf)) > 0) {
            reply.write(buf, 0, n);
            if (reply.toString(StandardCharsets.UTF_8).contains("}}")) {
                break;
            }
        }
        return reply.toString(StandardCharsets.UTF_8);
    }

    @Test
    void aSixtyMegabyteUploadIs413AtOnceWithoutTheServerTakingItIn() throws Exception {
        uploadSixtyMegabytes(); // warm up the path, so that class loading is not counted
        long before = allocatedBytes();
        long t0 = System.nanoTime();
        String reply = uploadSixtyMegabytes();
        double seconds = (System.nanoTime() - t0) / 1e9;
        long allocated = allocatedBytes() - before;
        System.out.printf("60 MB upload: answered in %.3f s, %d KB allocated in the JVM%n", seconds, allocated / 1024);

        assertThat(reply).startsWith("HTTP/1.1 413").contains("\"code\":\"FILE_TOO_LARGE\"")
                .contains("\"max_file_size\":10485760");
        assertThat(seconds).as("answered without waiting for the body").isLessThan(10);
        assertThat(allocated).as("the JVM did not allocate anything like the upload's size")
                .isLessThan(SIXTY_MB / 4);
    }

    @Test
    void aBodyWithoutLengthIsCutAtTheLimit() {
        byte[] big = new byte[20 * 1024 * 1024];
        Arrays.fill(big, (byte) 'a');
        int status = given().multiPart("image", "big.png", new java.io.ByteArrayInputStream(big), "image/png")
                .multiPart("prompt", "x").post("/image-to-image").statusCode();
        assertThat(status).isIn(400, 413);
    }

    @Test
    void aPngClaiming50000By50000PixelsIsRefusedFromItsHeader() {
        byte[] bomb = pngHeaderOnly(50_000, 50_000);
        long before = allocatedBytes();
        given().multiPart("image", "bomb.png", bomb, "image/png").multiPart("prompt", "x")
                .post("/image-to-image")
                .then().statusCode(413).body("error.code", equalTo("FILE_TOO_LARGE"))
                .body("error.details.width", equalTo(50_000));
        given().contentType("application/json")
                .body("{\"prompt\": \"x\", \"image\": \"" + Base64.getEncoder().encodeToString(bomb) + "\"}")
                .post("/image-to-image").then().statusCode(413);
        assertThat(allocatedBytes() - before).as("7.5 GB of pixels were never allocated")
                .isLessThan(64L * 1024 * 1024);
    }

    @Test
    void aTextFileNamedPngIsRefusedAsUnsupported() {
        byte[] text = "this is not a picture, whatever its name says\n".getBytes(StandardCharsets.UTF_8);
        given().multiPart("image", "photo.png", text, "image/png").multiPart("prompt", "x")
                .post("/image-to-image")
                .then().statusCode(415).body("error.code", equalTo("UNSUPPORTED_MEDIA_TYPE"))
                .body("error.details.supported", org.hamcrest.Matchers.hasItem("png"));
        // and a TIFF (a real picture, not one we take) is refused the same way
        byte[] tiff = {'I', 'I', 42, 0, 8, 0, 0, 0, 0, 0, 0, 0};
        given().multiPart("image", "photo.png", tiff, "image/png").multiPart("prompt", "x")
                .post("/image-to-image").then().statusCode(415);
    }
}
