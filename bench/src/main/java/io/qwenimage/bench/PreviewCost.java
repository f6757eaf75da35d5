package io.qwenimage.bench;

import io.qwenimage.engine.CancellationToken;
import io.qwenimage.engine.GenerationRequest;
import io.qwenimage.engine.ProgressListener;
import io.qwenimage.engine.RgbImage;
import io.qwenimage.engine.image.ImageCodec;
import io.qwenimage.engine.onnx.ExecutionProvider;
import io.qwenimage.engine.onnx.SessionFactory;
import io.qwenimage.engine.onnx.SessionSettings;
import io.qwenimage.engine.pipeline.ImagePipeline;
import io.qwenimage.engine.pipeline.Pipelines;
import io.qwenimage.engine.scheduler.SchedulerKind;
import java.nio.file.Path;
import java.util.Map;

/**
 * What live previews cost a generation, side by side: the same request on the demo model, round after round,
 * without previews (no listener asks), with a preview after every step (the engine's projection; the listener only
 * keeps it, as a job does), and with every preview also encoded to PNG on the generating thread (what the service
 * does elsewhere, counted here as an upper bound). Medians of each and their ratios to "off".
 *
 * <p>{@code bench/run.sh PreviewCost -Dcount=60 -Dsize=64 -Dsteps=20}
 */
public final class PreviewCost {

    private static final SessionSettings SERVICE_SETTINGS = new SessionSettings(ExecutionProvider.CPU, 0, 0, 1, false,
            false);

    private PreviewCost() {
    }

    /** Asks for a preview after every step; keeps it, or also encodes it. */
    private static final class Watcher implements ProgressListener {
        private final boolean encode;
        int previews;
        long bytes;

        Watcher(boolean encode) {
            this.encode = encode;
        }

        @Override
        public void onStep(int step, int total) {
        }

        @Override
        public boolean wantsPreview(int step, int total) {
            return true;
        }

        @Override
        public void onPreview(int step, int total, RgbImage preview) {
            previews++;
            if (encode) {
                bytes += ImageCodec.encodePng(preview, Map.of()).length;
            }
        }
    }

    public static void main(String[] args) throws Exception {
        int count = Integer.getInteger("count", 60);
        int size = Integer.getInteger("size", 64);
        int steps = Integer.getInteger("steps", 20);
        Report report = new Report(System.getProperty("report", "preview-cost-" + size));
        report.format("Demo model, %dx%d, %d steps, euler, guidance 7.5; %d rounds of the three ways, interleaved, "
                + "after 3 warm-ups; medians (ms).", size, size, steps, count);
        report.line("");
        Percentiles off = new Percentiles();
        Percentiles on = new Percentiles();
        Percentiles encoded = new Percentiles();
        int previews = 0;
        try (ImagePipeline pipeline = Pipelines.openDemo(java.nio.file.Files.createTempDirectory("bench-demo"),
                new SessionFactory(SERVICE_SETTINGS))) {
            GenerationRequest request = GenerationRequest.textToImage("a red circle on a blue background", "", size,
                    size, steps, 7.5, SchedulerKind.EULER, 0, 1);
            for (int i = 0; i < 3; i++) {
                pipeline.generate(request, ProgressListener.NONE, new CancellationToken());
                pipeline.generate(request, new Watcher(true), new CancellationToken());
            }
            for (int i = 0; i < count; i++) {
                // the order rotates so that no way always follows the same one
                for (int k = 0; k < 3; k++) {
                    int way = (i + k) % 3;
                    Watcher w = way == 0 ? null : new Watcher(way == 2);
                    long t0 = System.nanoTime();
                    pipeline.generate(request, w == null ? ProgressListener.NONE : w, new CancellationToken());
                    double ms = (System.nanoTime() - t0) / 1e6;
                    (way == 0 ? off : way == 1 ? on : encoded).add(ms);
                    if (w != null) {
                        previews = w.previews;
                    }
                }
            }
        }
        report.line("| previews | median ms | p95 ms | ratio to off (medians) |");
        report.line("|---|---|---|---|");
        report.format("| off (nobody asks) | %.2f | %.2f | 1 |", off.median(), off.at(95));
        report.format("| after every step (%d a run), kept | %.2f | %.2f | %.4f |", previews, on.median(), on.at(95),
                on.median() / off.median());
        report.format("| after every step, also PNG-encoded on the worker | %.2f | %.2f | %.4f |", encoded.median(),
                encoded.at(95), encoded.median() / off.median());
        report.save();
    }
}
