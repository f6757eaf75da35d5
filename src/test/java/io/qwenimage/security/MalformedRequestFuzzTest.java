package io.qwenimage.security;

import static io.qwenimage.testing.TestImages.redCircleOnBluePng;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.qwenimage.engine.image.ImageCodec;
import io.qwenimage.testing.ServiceReady;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * 410 malformed requests from a fixed seed: mutated and mistyped JSON, truncated and garbage multipart bodies,
 * broken pictures, huge headers, odd methods and paths; and issue 16's kinds: path spellings (matrix parameters,
 * dot segments, encoded separators), JSON with trailing content, A1111 counts and seeds that overflow, forms of
 * about 1000 parts, long multipart prompts, broken EXIF and header-only pictures. None may get a 5xx or hang, and
 * the service must still generate afterwards. Limits are small so that a mutation that happens to be valid stays
 * cheap.
 */
@QuarkusTest
@TestProfile(MalformedRequestFuzzTest.SmallLimits.class)
class MalformedRequestFuzzTest {

    /** Small pictures and few steps: a valid mutant costs a fraction of a second. */
    public static class SmallLimits implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("qwen.limits.max-width", "128", "qwen.limits.max-height", "128",
                    "qwen.limits.max-steps", "4", "qwen.generation.num-inference-steps", "2",
                    "qwen.limits.max-num-images", "2", "qwen.queue.capacity", "64");
        }
    }

    static final String VALID_JSON = "{\"prompt\": \"a red circle on blue\", \"negative_prompt\": \"blurry\", "
            + "\"width\": 64, \"height\": 64, \"num_inference_steps\": 2, \"guidance_scale\": 7.5, \"seed\": 7, "
            + "\"num_images\": 1, \"scheduler\": \"euler\", \"output_format\": \"png\"}";
    static final String[] FIELDS = {"prompt", "negative_prompt", "width", "height", "num_inference_steps",
            "guidance_scale", "seed", "num_images", "scheduler", "output_format", "strength", "image"};
    static final String[] ODD_VALUES = {"\"str\"", "-1", "1e309", "99999999999999999999999", "true", "null", "[]",
            "{}", "[1,[2]]", "\"\"", "0", "-0.0", "\"\\u0000\"", "\"\\ud800\"", "1.5", "\"64\"",
            "[".repeat(60) + "]".repeat(60)};

    @ConfigProperty(name = "quarkus.http.test-port")
    int port;

    final Random random = new Random(20261128L);
    final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    final List<String> failures = new ArrayList<>();
    final Map<Integer, Integer> statuses = new java.util.TreeMap<>();
    int sent;

    @BeforeEach
    void waitUntilReady() throws InterruptedException {
        ServiceReady.await();
    }

    @Test
    void threeHundredMalformedRequestsGetNo5xxAndTheServiceStillGenerates() {
        byte[] png = redCircleOnBluePng(64, 64);
        for (int i = 0; i < 90; i++) {
            send("POST", "/text-to-image", "application/json", mutate(VALID_JSON.getBytes(StandardCharsets.UTF_8)),
                    Map.of(), "mutated json #" + i);
        }
        for (int i = 0; i < 60; i++) {
            String field = FIELDS[random.nextInt(FIELDS.length)];
            String value = ODD_VALUES[random.nextInt(ODD_VALUES.length)];
            String pattern = "\"" + field + "\": (\"[^\"]*\"|[0-9.e-]+)";
            // mostly the field replaced; every fifth time repeated, which a strict parser must refuse too
            String body = i % 5 != 0 && VALID_JSON.matches(".*" + pattern + ".*")
                    ? VALID_JSON.replaceFirst(pattern, java.util.regex.Matcher.quoteReplacement(
                            "\"" + field + "\": " + value))
                    : VALID_JSON.replaceFirst("\\}$", ", \"" + field + "\": " + value.replace("$", "\\$") + "}");
            String path = random.nextBoolean() ? "/text-to-image" : "/image-to-image";
            send("POST", path, "application/json", body.getBytes(StandardCharsets.UTF_8), Map.of(),
                    "wrong type " + field + "=" + value);
        }
        for (int i = 0; i < 60; i++) {
            String boundary = "b" + random.nextInt(1_000_000);
            byte[] body = multipart(boundary, png);
            String contentType = "multipart/form-data; boundary=" + boundary;
            switch (i % 4) {
                case 0 -> body = java.util.Arrays.copyOf(body, random.nextInt(body.length));
                case 1 -> body = randomBytes(1 + random.nextInt(4096));
                case 2 -> contentType = "multipart/form-data; boundary=other" + boundary;
                default -> contentType = "multipart/form-data";
            }
            send("POST", "/image-to-image", contentType, body, Map.of(), "multipart case " + (i % 4));
        }
        for (int i = 0; i < 60; i++) {
            byte[] picture = i % 3 == 0 ? jpeg() : png;
            byte[] broken = i % 2 == 0 ? java.util.Arrays.copyOf(picture, 8 + random.nextInt(picture.length - 8))
                    : flipBytes(picture, 1 + random.nextInt(20));
            if (i % 4 < 2) {
                send("POST", "/image-to-image", "multipart/form-data; boundary=xyz", multipart("xyz", broken),
                        Map.of(), "broken picture (multipart) #" + i);
            } else {
                String b64 = Base64.getEncoder().encodeToString(broken);
                if (i % 8 == 3) {
                    b64 = b64.substring(0, b64.length() / 2) + "!*%" + b64.substring(b64.length() / 2);
                }
                String json = "{\"prompt\": \"x\", \"num_inference_steps\": 2, \"image\": \"" + b64 + "\"}";
                send("POST", "/image-to-image", "application/json", json.getBytes(StandardCharsets.UTF_8), Map.of(),
                        "broken picture (base64) #" + i);
            }
        }
        for (int i = 0; i < 30; i++) {
            Map<String, String> headers = switch (i % 3) {
                case 0 -> Map.of("X-Junk", "a".repeat(8_000 + random.nextInt(90_000)));
                case 1 -> Map.of("X-API-Key", "k".repeat(1_000 + random.nextInt(60_000)));
                default -> Map.of("Accept", "image/png;q=" + "9".repeat(random.nextInt(5_000)));
            };
            String contentType = new String[] {"application/json; charset=utf-99", "text/plain",
                    "application/x-www-form-urlencoded", "multipart/mixed", "application/json"}[random.nextInt(5)];
            send("POST", i % 2 == 0 ? "/text-to-image" : "/image-to-image", contentType,
                    VALID_JSON.getBytes(StandardCharsets.UTF_8), headers, "odd headers #" + i);
        }
        String[] methods = {"PUT", "DELETE", "PATCH", "GET", "OPTIONS", "HEAD"};
        String[] paths = {"/text-to-image", "/image-to-image", "/info", "/health", "/admin/keys",
                "/text-to-image/..%2f..%2fetc%2fpasswd", "/%00", "/x?" + "q=".repeat(3000), "/" + "a".repeat(9000),
                "/text-to-image?seed=%zz", "/q/health/%2e%2e/"};
        for (int i = 0; i < 30; i++) {
            send(methods[random.nextInt(methods.length)], paths[random.nextInt(paths.length)], "application/json",
                    VALID_JSON.getBytes(StandardCharsets.UTF_8), Map.of(), "method/path #" + i);
        }

        // issue 16's path spellings: matrix parameters, dot segments in every encoding, doubled and encoded
        // separators, invalid escapes and UTF-8, on every kind of route (none may get past its rules or 5xx)
        String[] spellings = {"/admin;x=1/keys", "/admin/keys;", "//admin//keys//", "/v1/..;/admin/keys",
                "/sdapi/v1/options/", "/%61dmin/keys", "/admin%2fkeys", "/admin%252fkeys", "/health/%2e%2e/admin/keys",
                "/v1/images/files/..%2f..%2fadmin%2fkeys", "/text-to-image;jsessionid=1", "/%c0%ae%c0%ae/admin",
                "/%ff%fe", "/%", "/%g0", "/jobs/%00/events", "/v1;/images;/generations;", "/q/metrics;x"};
        for (int i = 0; i < 40; i++) {
            send(i % 3 == 0 ? "GET" : "POST", spellings[random.nextInt(spellings.length)], "application/json",
                    VALID_JSON.getBytes(StandardCharsets.UTF_8), Map.of(), "path spelling #" + i);
        }

        // issue 16's kinds: trailing JSON, overflowing counts and seeds, too many or too long form parts, broken
        // EXIF, pictures whose header promises more than their bytes hold
        String[] tails = {" garbage", "{}", ",", "]", " 1", "\u0000"};
        String[] a1111 = {"\"batch_size\": 1073741825, \"n_iter\": 4", "\"batch_size\": -1, \"n_iter\": -1",
                "\"seed\": 9223372036854775807, \"batch_size\": 2", "\"seed\": 4294967296"};
        for (int i = 0; i < 40; i++) {
            switch (i % 5) {
                case 0 -> send("POST", new String[] {"/text-to-image", "/v1/images/generations", "/sdapi/v1/txt2img",
                        "/jobs"}[random.nextInt(4)], "application/json", (VALID_JSON
                        + tails[random.nextInt(tails.length)]).getBytes(StandardCharsets.UTF_8), Map.of(),
                        "trailing json #" + i);
                case 1 -> send("POST", "/sdapi/v1/txt2img", "application/json", ("{\"prompt\": \"x\", \"steps\": 2, "
                        + a1111[random.nextInt(a1111.length)] + "}").getBytes(StandardCharsets.UTF_8), Map.of(),
                        "a1111 overflow #" + i);
                case 2 -> send("POST", random.nextBoolean() ? "/image-to-image" : "/v1/images/edits",
                        "multipart/form-data; boundary=xyz", manyParts("xyz", png, 990 + random.nextInt(40)), Map.of(),
                        "many parts #" + i);
                case 3 -> send("POST", "/image-to-image", "multipart/form-data; boundary=xyz",
                        longPrompt("xyz", png, 1 + random.nextInt(5000)), Map.of(), "long multipart prompt #" + i);
                default -> {
                    byte[] exif = new byte[8 + random.nextInt(40)];
                    random.nextBytes(exif);
                    System.arraycopy("Exif\0\0II".getBytes(StandardCharsets.ISO_8859_1), 0, exif, 0, 8);
                    byte[] picture = random.nextBoolean() ? withApp1(jpeg(), exif)
                            : io.qwenimage.testing.TestImages.pngHeaderOnly(1 + random.nextInt(4096),
                            1 + random.nextInt(4096));
                    send("POST", "/image-to-image", "multipart/form-data; boundary=xyz", multipart("xyz", picture),
                            Map.of(), "broken exif or header-only picture #" + i);
                }
            }
        }

        assertThat(sent).isGreaterThanOrEqualTo(300);
        System.out.println("fuzz statuses: " + statuses);
        // the requests reached every layer: parsing (400), media types (415), validation (422), size (413/431)
        assertThat(statuses).containsKeys(400, 415, 422);
        assertThat(failures).as("requests answered with a 5xx or not at all").isEmpty();
        byte[] picture = Base64.getDecoder().decode(given().contentType(ContentType.JSON).body(VALID_JSON)
                .post("/text-to-image").then().statusCode(200).extract().<String>path("image"));
        assertThat(ImageCodec.decode(picture, 1 << 20).width()).isEqualTo(64);
    }

    private void send(String method, String path, String contentType, byte[] body, Map<String, String> headers,
                      String what) {
        sent++;
        try {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                    .timeout(Duration.ofSeconds(60)).header("Content-Type", contentType)
                    .method(method, method.equals("GET") || method.equals("HEAD")
                            ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
            headers.forEach(b::header);
            HttpResponse<String> r = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
            statuses.merge(r.statusCode(), 1, Integer::sum);
            if (r.statusCode() >= 500) {
                failures.add(what + " -> " + r.statusCode() + " " + abbreviate(r.body()));
            }
        } catch (java.net.http.HttpTimeoutException e) {
            failures.add(what + " -> no answer within 60 s");
        } catch (IllegalArgumentException e) {
            sent--; // a request the client itself cannot form (e.g. an invalid URI); not sent
        } catch (Exception e) {
            // a closed connection is a legitimate answer to a request too broken to read (huge headers)
            if (!(e instanceof java.io.IOException)) {
                failures.add(what + " -> " + e);
            }
        }
    }

    private byte[] mutate(byte[] valid) {
        byte[] b = valid.clone();
        return switch (random.nextInt(5)) {
            case 0 -> flipBytes(b, 1 + random.nextInt(6));
            case 1 -> java.util.Arrays.copyOf(b, random.nextInt(b.length));
            case 2 -> {
                int at = random.nextInt(b.length);
                byte[] junk = randomBytes(1 + random.nextInt(30));
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                out.write(b, 0, at);
                out.writeBytes(junk);
                out.write(b, at, b.length - at);
                yield out.toByteArray();
            }
            case 3 -> {
                int from = random.nextInt(b.length);
                int to = Math.min(b.length, from + 1 + random.nextInt(20));
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                out.write(b, 0, from);
                out.write(b, to, b.length - to);
                yield out.toByteArray();
            }
            default -> {
                String s = new String(b, StandardCharsets.UTF_8);
                String[] swaps = {"\"", ":", ",", "{", "}", "64", "2"};
                yield s.replace(swaps[random.nextInt(swaps.length)], swaps[random.nextInt(swaps.length)])
                        .getBytes(StandardCharsets.UTF_8);
            }
        };
    }

    private byte[] flipBytes(byte[] data, int count) {
        byte[] b = data.clone();
        for (int i = 0; i < count; i++) {
            int at = random.nextInt(Math.min(b.length, 64 + random.nextInt(b.length)));
            b[at] = (byte) random.nextInt(256);
        }
        return b;
    }

    private byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    private static byte[] jpeg() {
        java.awt.image.BufferedImage img = new java.awt.image.BufferedImage(64, 64,
                java.awt.image.BufferedImage.TYPE_INT_RGB);
        return ImageCodec.encodeJpeg(io.qwenimage.engine.ImageTensors.fromBufferedImage(img), 0.9f);
    }

    private static byte[] multipart(String boundary, byte[] image) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        String fields = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"prompt\"\r\n\r\na red circle\r\n"
                + "--" + boundary + "\r\nContent-Disposition: form-data; name=\"num_inference_steps\"\r\n\r\n2\r\n"
                + "--" + boundary + "\r\nContent-Disposition: form-data; name=\"image\"; filename=\"in.png\"\r\n"
                + "Content-Type: image/png\r\n\r\n";
        out.writeBytes(fields.getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(image);
        out.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }

    /** A form with {@code extra} more text parts besides the usual ones. */
    private static byte[] manyParts(String boundary, byte[] image, int extra) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < extra; i++) {
            out.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"f" + i + "\"\r\n\r\nv\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
        }
        out.writeBytes(multipart(boundary, image));
        return out.toByteArray();
    }

    /** The usual form with a prompt of {@code chars} three-byte characters in front. */
    private static byte[] longPrompt(String boundary, byte[] image, int chars) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"negative_prompt\"\r\n"
                + "Content-Type: text/plain; charset=UTF-8\r\n\r\n" + "画".repeat(chars) + "\r\n")
                .getBytes(StandardCharsets.UTF_8));
        out.writeBytes(multipart(boundary, image));
        return out.toByteArray();
    }

    /** {@code jpeg} with an APP1 segment of {@code payload} after its SOI. */
    private static byte[] withApp1(byte[] jpeg, byte[] payload) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(jpeg, 0, 2);
        out.write(0xFF);
        out.write(0xE1);
        out.write((payload.length + 2) >> 8);
        out.write((payload.length + 2) & 0xFF);
        out.writeBytes(payload);
        out.write(jpeg, 2, jpeg.length - 2);
        return out.toByteArray();
    }

    private static String abbreviate(String s) {
        return s == null ? "" : s.length() > 300 ? s.substring(0, 300) + "..." : s;
    }
}
