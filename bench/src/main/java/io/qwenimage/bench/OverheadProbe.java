package io.qwenimage.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * How much of a generation request's server-side time is spent outside ONNX Runtime calls (tokenizing, tensor
 * copies, the scheduler, decoding to RGB, PNG, base64, JSON, HTTP), one client, requests one after the other, at
 * the demo model's native size (64) and at 512x512. Reads the {@code Server-Timing} header of every answer.
 *
 * <p>{@code -Dcount=30 -Dsteps=20 -Dsizes=64,512}
 */
public final class OverheadProbe {

    private OverheadProbe() {
    }

    public static void main(String[] args) throws Exception {
        int count = Integer.getInteger("count", 30);
        int steps = Integer.getInteger("steps", 20);
        String sizes = System.getProperty("sizes", "64,512");
        Report report = new Report(System.getProperty("report", "overhead"));
        report.format("%d requests per size after 3 warm-up requests, %d steps, dpmpp_2m_karras, guidance 7.5, "
                + "one client, sequential; server-side time = arrival to response headers.", count, steps);
        report.line("");
        report.line("| size | server ms (median) | inside ONNX Runtime ms | outside ms | outside share median | "
                + "outside share p95 | client ms (median) | admit ms | queue ms | worker outside ONNX ms | "
                + "respond ms |");
        report.line("|---|---|---|---|---|---|---|---|---|---|---|");
        String extra = System.getProperty("service.args", "");
        List<String> properties = extra.isBlank() ? List.of() : List.of(extra.trim().split("\\s+"));
        report.format("Service properties: %s", properties.isEmpty() ? "defaults" : String.join(" ", properties));
        report.line("");
        try (ServiceProcess service = ServiceProcess.start(Report.jar(), 8190, properties,
                Path.of("target/bench-overhead.log"))) {
            service.awaitReady(Duration.ofMinutes(5));
            Generations client = new Generations(service.baseUrl());
            for (String s : sizes.split(",")) {
                int size = Integer.parseInt(s.trim());
                for (int i = 0; i < 3; i++) {
                    client.textToImage("a red circle on a blue background", size, steps, "dpmpp_2m_karras", i, 1);
                }
                Percentiles server = new Percentiles();
                Percentiles onnx = new Percentiles();
                Percentiles outside = new Percentiles();
                Percentiles share = new Percentiles();
                Percentiles clientSide = new Percentiles();
                Percentiles admit = new Percentiles();
                Percentiles queue = new Percentiles();
                Percentiles workerOutside = new Percentiles();
                Percentiles respond = new Percentiles();
                for (int i = 0; i < count; i++) {
                    Generations.Answer a = client.textToImage("a red circle on a blue background", size, steps,
                            "dpmpp_2m_karras", 1000 + i, 1);
                    if (a.status() != 200 || a.serverMillis() < 0) {
                        throw new IllegalStateException("answer " + a.status() + " without Server-Timing");
                    }
                    server.add(a.serverMillis());
                    onnx.add(a.onnxMillis());
                    outside.add(a.serverMillis() - a.onnxMillis());
                    share.add(a.outsideShare() * 100);
                    clientSide.add(a.clientMillis());
                    admit.add(a.admitMillis());
                    queue.add(a.queueMillis());
                    workerOutside.add(a.runMillis() - a.onnxMillis());
                    respond.add(a.respondMillis());
                }
                report.format("| %dx%d | %.1f | %.1f | %.2f | %.2f %% | %.2f %% | %.1f | %.2f | %.2f | %.2f | %.2f |",
                        size, size, server.median(), onnx.median(), outside.median(), share.median(), share.at(95),
                        clientSide.median(), admit.median(), queue.median(), workerOutside.median(),
                        respond.median());
            }
        }
        report.save();
    }
}
