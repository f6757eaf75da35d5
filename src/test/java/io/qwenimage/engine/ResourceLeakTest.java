package io.qwenimage.engine;

import io.qwenimage.engine.pipeline.StableDiffusionPipeline;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qwenimage.engine.model.ModelBundle;
import io.qwenimage.engine.onnx.LiveValues;
import io.qwenimage.engine.onnx.SessionFactory;
import io.qwenimage.engine.onnx.SessionSettings;
import io.qwenimage.engine.scheduler.SchedulerKind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * 300 generations in one JVM, through every path (success, cancellation before and during a run, a request the
 * model refuses): no ONNX Runtime value is left open, and resident memory stops growing after warm-up.
 */
class ResourceLeakTest {

    @Test
    void threeHundredGenerationsLeaveNothingOpen() throws Exception {
        try (ModelBundle model = ModelBundle.open(Path.of("models/demo"),
                new SessionFactory(SessionSettings.cpuDefaults()))) {
            StableDiffusionPipeline pipeline = new StableDiffusionPipeline(model);
            SchedulerKind[] kinds = model.info().schedulers().toArray(new SchedulerKind[0]);
            long warm = 0;
            for (int n = 0; n < 300; n++) {
                final int i = n;
                SchedulerKind kind = kinds[i % kinds.length];
                GenerationRequest r = GenerationRequest.textToImage("a purple triangle on a white background", "",
                        64 + 8 * (i % 3), 64, 6, 7.5, kind, i, 1 + i % 2);
                switch (i % 10) {
                    case 7 -> {
                        CancellationToken cancelled = new CancellationToken();
                        cancelled.cancel("test");
                        assertThatThrownBy(() -> pipeline.generate(r, ProgressListener.NONE, cancelled))
                                .isInstanceOf(GenerationCancelledException.class);
                    }
                    case 8 -> {
                        CancellationToken token = new CancellationToken();
                        assertThatThrownBy(() -> pipeline.generate(r, (step, total) -> token.cancel("mid-run"), token))
                                .isInstanceOf(GenerationCancelledException.class);
                    }
                    case 9 -> assertThatThrownBy(() -> pipeline.generate(new GenerationRequest("x", "", 64, 64, 4,
                            7.5, kind, i, 1, new RgbImage(8, 8, new byte[192]), 0.01), ProgressListener.NONE,
                            new CancellationToken())).isInstanceOf(IllegalArgumentException.class);
                    default -> assertThat(pipeline.generate(r, ProgressListener.NONE, new CancellationToken())
                            .images()).hasSize(1 + i % 2);
                }
                assertThat(LiveValues.count()).as("open ONNX values after generation %d", i).isZero();
                if (i == 49) {
                    System.gc();
                    warm = rssKb();
                }
            }
            System.gc();
            long growth = rssKb() - warm;
            System.out.printf("RSS after warm-up %d MB, growth over 250 generations %d KB%n", warm / 1024, growth);
            assertThat(growth).isLessThanOrEqualTo(64 * 1024);
        }
    }

    static long rssKb() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IllegalStateException("no VmRSS in /proc/self/status");
    }
}
