package io.qwenimage.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.qwenimage.engine.model.ModelBundle;
import io.qwenimage.engine.onnx.SessionFactory;
import io.qwenimage.engine.onnx.SessionSettings;
import io.qwenimage.engine.pipeline.StableDiffusionPipeline;
import io.qwenimage.engine.scheduler.SchedulerKind;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Live previews on the demo model: a caller who asks gets, at the steps it asks for, a picture at the latents'
 * resolution that shows what the finished picture will be (the shape's colour where the shape will be), and a caller
 * who does not ask gets none; asking changes nothing in the finished picture.
 */
class LivePreviewTest {

    static ModelBundle model;
    static StableDiffusionPipeline pipeline;

    @BeforeAll
    static void open() {
        model = ModelBundle.open(Path.of("models/demo"), new SessionFactory(SessionSettings.cpuDefaults()));
        pipeline = new StableDiffusionPipeline(model);
    }

    @AfterAll
    static void close() {
        model.close();
    }

    /** Collects the previews of the steps it wants. */
    static final class Collector implements ProgressListener {
        final int every;
        final List<Integer> steps = new ArrayList<>();
        final List<RgbImage> previews = new ArrayList<>();

        Collector(int every) {
            this.every = every;
        }

        @Override
        public void onStep(int step, int total) {
        }

        @Override
        public boolean wantsPreview(int step, int total) {
            return every > 0 && step % every == 0;
        }

        @Override
        public void onPreview(int step, int total, RgbImage preview) {
            steps.add(step);
            previews.add(preview);
        }
    }

    @Test
    void previewsShowThePictureAsItForms() {
        for (SchedulerKind kind : new SchedulerKind[] {SchedulerKind.EULER, SchedulerKind.DDIM, SchedulerKind.PNDM,
            SchedulerKind.DPMPP_2M}) {
            GenerationRequest request = GenerationRequest.textToImage("a red circle on a blue background", "", 64, 64,
                    20, 7.5, kind, 42, 1);
            Collector collector = new Collector(5);
            RgbImage finished = pipeline.generate(request, collector, new CancellationToken()).images().get(0);
            assertThat(collector.steps).as(kind.name()).containsExactly(5, 10, 15, 20);
            for (RgbImage p : collector.previews) {
                assertThat(p.width()).isEqualTo(8);
                assertThat(p.height()).isEqualTo(8);
            }
            double last = meanError(collector.previews.get(3), finished);
            double half = meanError(collector.previews.get(1), finished);
            System.out.printf("%s preview error vs the finished picture pooled 8x8: step 10 %.1f, step 20 %.1f%n",
                    kind, half, last);
            // measured: 17-18 at the last step (the projection's own error on the demo's sharp shapes); PNDM's
            // single-evaluation x0 swings between 30 and 53 from one step to the next (its multistep update smooths it)
            assertThat(last).as(kind + ": the last preview is close to the finished picture")
                    .isLessThan(kind == SchedulerKind.PNDM ? 60 : 22);
            assertThat(centre(collector.previews.get(1))).as(kind + ": at half way the centre is red")
                    .isEqualTo("red");
            assertThat(corner(collector.previews.get(1))).as(kind + ": and the background blue").isEqualTo("blue");
        }
    }

    @Test
    void aCallerWhoDoesNotAskGetsNoneAndAskingChangesNothing() {
        GenerationRequest request = GenerationRequest.textToImage("a green square on a white background", "", 64, 64,
                12, 7.5, SchedulerKind.EULER_ANCESTRAL, 9, 1);
        Collector none = new Collector(0);
        RgbImage plain = pipeline.generate(request, none, new CancellationToken()).images().get(0);
        Collector all = new Collector(1);
        RgbImage watched = pipeline.generate(request, all, new CancellationToken()).images().get(0);
        assertThat(none.previews).isEmpty();
        assertThat(all.steps).hasSize(12);
        assertThat(watched.rgb()).isEqualTo(plain.rgb());
    }

    /** Mean absolute difference (0..255) of the preview and the finished picture averaged over 8x8 blocks. */
    static double meanError(RgbImage preview, RgbImage finished) {
        double sum = 0;
        for (int y = 0; y < preview.height(); y++) {
            for (int x = 0; x < preview.width(); x++) {
                for (int c = 0; c < 3; c++) {
                    double block = 0;
                    for (int dy = 0; dy < 8; dy++) {
                        for (int dx = 0; dx < 8; dx++) {
                            block += finished.at(x * 8 + dx, y * 8 + dy, c);
                        }
                    }
                    sum += Math.abs(block / 64 - preview.at(x, y, c));
                }
            }
        }
        return sum / (preview.width() * preview.height() * 3);
    }

    static String centre(RgbImage p) {
        return DemoPictureJudge.nearest(p.at(p.width() / 2, p.height() / 2, 0),
                p.at(p.width() / 2, p.height() / 2, 1), p.at(p.width() / 2, p.height() / 2, 2));
    }

    static String corner(RgbImage p) {
        return DemoPictureJudge.nearest(p.at(0, 0, 0), p.at(0, 0, 1), p.at(0, 0, 2));
    }
}
