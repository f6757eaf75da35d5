package io.qwenimage.bench;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A plain HTTP client of the service for the bench tools: one generation request, its status and timings. */
public final class Generations {

    private static final Pattern TIMING = Pattern.compile(
            "onnx;dur=([0-9.]+), queue;dur=([0-9.]+), total;dur=([0-9.]+)(?:, admit;dur=([0-9.]+), run;dur=([0-9.]+))?.*");

    // HTTP/1.1 as curl and most clients of a plain-HTTP service speak it (the JDK's default is an h2c upgrade)
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final String baseUrl;
    private final String apiKey;

    public Generations(String baseUrl) {
        this(baseUrl, null);
    }

    /** A client that sends {@code apiKey} (null: none) as {@code X-API-Key}. */
    public Generations(String baseUrl, String apiKey) {
        this.baseUrl = baseUrl;
        this.apiKey = apiKey;
    }

    /**
     * One answer as the client saw it.
     *
     * @param clientMillis  request sent to answer read, on the client
     * @param onnxMillis    the server's time inside ONNX Runtime (Server-Timing), or -1
     * @param queueMillis   the server's queue wait, or -1
     * @param serverMillis  the server's time from arrival to response headers, or -1
     * @param admitMillis   arrival to admission into the queue (body, auth, validation), or -1
     * @param runMillis     on the worker (ONNX Runtime, scheduler, encoding), or -1
     */
    public record Answer(int status, double clientMillis, double onnxMillis, double queueMillis,
                         double serverMillis, double admitMillis, double runMillis) {

        /** After the worker: back to the event loop, response filters, JSON, headers. */
        public double respondMillis() {
            return serverMillis - admitMillis - queueMillis - runMillis;
        }

        /** Server-side time outside ONNX Runtime calls, as a share of the server-side time. */
        public double outsideShare() {
            return (serverMillis - onnxMillis) / serverMillis;
        }
    }

    /** A text-to-image request (JSON). */
    public Answer textToImage(String prompt, int size, int steps, String scheduler, long seed, int images)
            throws IOException, InterruptedException {
        String body = String.format(Locale.ROOT, "{\"prompt\": \"%s\", \"width\": %d, \"height\": %d, "
                        + "\"num_inference_steps\": %d, \"scheduler\": \"%s\", \"seed\": %d, \"num_images\": %d}",
                prompt, size, size, steps, scheduler, seed, images);
        return send(HttpRequest.newBuilder(URI.create(baseUrl + "/text-to-image"))
                .header("Content-Type", "application/json").timeout(Duration.ofMinutes(6))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    /** An image-to-image request (multipart, the picture as a PNG file). */
    public Answer imageToImage(String prompt, byte[] png, int steps, double strength, long seed)
            throws IOException, InterruptedException {
        String boundary = "bench" + seed;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        field(out, boundary, "prompt", prompt);
        field(out, boundary, "num_inference_steps", Integer.toString(steps));
        field(out, boundary, "strength", Double.toString(strength));
        field(out, boundary, "seed", Long.toString(seed));
        out.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"image\"; filename=\"in.png\"\r\n"
                + "Content-Type: image/png\r\n\r\n").getBytes(StandardCharsets.UTF_8));
        out.write(png);
        out.write(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        return send(HttpRequest.newBuilder(URI.create(baseUrl + "/image-to-image"))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary).timeout(Duration.ofMinutes(6))
                .POST(HttpRequest.BodyPublishers.ofByteArray(out.toByteArray())).build());
    }

    /** A GET whose status and client time are all that matter (probes). */
    public Answer get(String path) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofSeconds(30)).GET().build());
    }

    private Answer send(HttpRequest request) throws IOException, InterruptedException {
        if (apiKey != null) {
            request = HttpRequest.newBuilder(request, (name, value) -> true).header("X-API-Key", apiKey).build();
        }
        long t0 = System.nanoTime();
        HttpResponse<byte[]> r = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
        double millis = (System.nanoTime() - t0) / 1e6;
        Matcher m = TIMING.matcher(r.headers().firstValue("Server-Timing").orElse(""));
        if (m.matches()) {
            return new Answer(r.statusCode(), millis, Double.parseDouble(m.group(1)), Double.parseDouble(m.group(2)),
                    Double.parseDouble(m.group(3)), m.group(4) == null ? -1 : Double.parseDouble(m.group(4)),
                    m.group(5) == null ? -1 : Double.parseDouble(m.group(5)));
        }
        return new Answer(r.statusCode(), millis, -1, -1, -1, -1, -1);
    }

    private static void field(ByteArrayOutputStream out, String boundary, String name, String value)
            throws IOException {
        out.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + name + "\"\r\n\r\n" + value
                + "\r\n").getBytes(StandardCharsets.UTF_8));
    }
}
