package io.qwenimage.engine;

import io.qwenimage.engine.pipeline.StableDiffusionPipeline;
import static org.assertj.core.api.Assertions.assertThat;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.qwenimage.engine.model.ModelBundle;
import io.qwenimage.engine.onnx.SessionFactory;
import io.qwenimage.engine.onnx.SessionSettings;
import io.qwenimage.engine.scheduler.GaussianNoise;
import io.qwenimage.engine.scheduler.SchedulerKind;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Issue 17, item 3: a VAE encoder exported with a {@code latent_sample} output samples inside the graph with an
 * unseeded {@code RandomNormalLike}, so image-to-image was not reproducible (the same request twice: latents up
 * to 0.057 apart). The engine rewrites that node into an input at load; the request's seeded noise is then the
 * noise used, and the legacy export encodes exactly as the {@code latent_parameters} export of the same weights.
 */
class LatentSampleExportTest {

    static final SessionFactory SESSIONS = new SessionFactory(SessionSettings.cpuDefaults());
    static final Path LEGACY = Path.of("src/test/resources/models/demo-legacy");
    static final Path MAIN = Path.of("models/demo");

    static RgbImage picture() {
        byte[] rgb = new byte[64 * 64 * 3];
        for (int y = 0; y < 64; y++) {
            for (int x = 0; x < 64; x++) {
                boolean inside = (x - 32) * (x - 32) + (y - 32) * (y - 32) < 18 * 18;
                int at = (y * 64 + x) * 3;
                rgb[at] = (byte) (inside ? 220 : 20);
                rgb[at + 1] = (byte) 30;
                rgb[at + 2] = (byte) (inside ? 20 : 200);
            }
        }
        return new RgbImage(64, 64, rgb);
    }

    static float[] noise(long seed) {
        float[] n = new float[4 * 8 * 8];
        new GaussianNoise(seed).fill(n);
        return n;
    }

    static float[] encode(ModelBundle model, float[] noise) throws OrtException {
        try (OrtSession.RunOptions run = new OrtSession.RunOptions()) {
            return model.vaeEncoder().encode(ImageTensors.toPixels(picture()), 64, 64, noise, run);
        }
    }

    @Test
    void theLegacyEncoderUsesTheSeededNoiseItIsGiven() throws OrtException {
        try (ModelBundle legacy = ModelBundle.open(LEGACY, SESSIONS);
             ModelBundle main = ModelBundle.open(MAIN, SESSIONS)) {
            assertThat(legacy.vaeEncoder().outputName()).isEqualTo("latent_sample");
            assertThat(legacy.vaeEncoder().takesNoise()).isTrue();
            assertThat(main.vaeEncoder().takesNoise()).isFalse();

            float[] first = encode(legacy, noise(5));
            float[] again = encode(legacy, noise(5));
            assertThat(again).as("the same noise twice").containsExactly(first);
            float[] other = encode(legacy, noise(6));
            assertThat(maxAbsDiff(first, other)).as("other noise, another sample").isGreaterThan(1e-3);
            // mean + std * noise, as the latent_parameters export of the same weights gives it
            assertThat(maxAbsDiff(first, encode(main, noise(5)))).isLessThan(1e-4);
        }
    }

    @Test
    void imageToImageOnALegacyExportIsReproducible() {
        try (ModelBundle legacy = ModelBundle.open(LEGACY, SESSIONS)) {
            StableDiffusionPipeline pipeline = new StableDiffusionPipeline(legacy);
            GenerationRequest request = new GenerationRequest("a yellow circle on a blue background", "", 64, 64, 10,
                    7.5, SchedulerKind.EULER, 42, 1, picture(), 0.6);
            RgbImage first = pipeline.generate(request, ProgressListener.NONE, new CancellationToken()).images()
                    .get(0);
            RgbImage second = pipeline.generate(request, ProgressListener.NONE, new CancellationToken()).images()
                    .get(0);
            assertThat(DemoModelGenerationTest.meanAbsDiff(first, second)).as("mean |difference| of the two pictures")
                    .isZero();
        }
    }

    static double maxAbsDiff(float[] a, float[] b) {
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs(a[i] - b[i]));
        }
        return max;
    }
}
