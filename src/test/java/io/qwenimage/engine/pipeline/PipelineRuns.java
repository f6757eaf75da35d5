package io.qwenimage.engine.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.qwenimage.engine.BatchEntry;
import io.qwenimage.engine.BatchResults;
import io.qwenimage.engine.CancellationToken;
import io.qwenimage.engine.GenerationRequest;
import io.qwenimage.engine.GenerationResult;
import io.qwenimage.engine.ProgressListener;
import io.qwenimage.engine.RgbImage;
import io.qwenimage.engine.scheduler.NoiseSource;
import java.util.ArrayDeque;
import java.util.List;

/** What the parity tests do with a pipeline and compare: a batch run, and the two measures of difference. */
final class PipelineRuns {

    private PipelineRuns() {
    }

    /** The first picture of each request, all run in one batch; a failed entry fails the test. */
    static RgbImage[] together(ImagePipeline pipeline, List<GenerationRequest> requests) {
        RgbImage[] pictures = new RgbImage[requests.size()];
        List<BatchEntry> entries = requests.stream()
                .map(r -> new BatchEntry(r, ProgressListener.NONE, new CancellationToken())).toList();
        pipeline.generateTogether(entries, new BatchResults() {
            @Override
            public void succeeded(int index, GenerationResult result) {
                pictures[index] = result.images().get(0);
            }

            @Override
            public void failed(int index, RuntimeException error) {
                throw error;
            }
        });
        return pictures;
    }

    /**
     * A noise source that hands out a reference's draws in order (the pipeline's draws for one image: the VAE
     * sample, the initial noise, each stochastic step's), failing if the pipeline draws more than the reference.
     */
    static NoiseSource replay(List<float[]> draws) {
        ArrayDeque<float[]> left = new ArrayDeque<>(draws);
        return out -> {
            float[] next = left.poll();
            if (next == null) {
                throw new IllegalStateException("the pipeline drew more noise than the reference");
            }
            System.arraycopy(next, 0, out, 0, out.length);
        };
    }

    /** The largest difference of one channel of one pixel, in levels of 255. */
    static int maxLevelDifference(RgbImage a, RgbImage b) {
        assertThat(a.width()).isEqualTo(b.width());
        assertThat(a.height()).isEqualTo(b.height());
        int max = 0;
        for (int i = 0; i < a.rgb().length; i++) {
            max = Math.max(max, Math.abs((a.rgb()[i] & 0xFF) - (b.rgb()[i] & 0xFF)));
        }
        return max;
    }

    /** Every value of {@code ours} within {@code tolerance} of {@code expected}'s. */
    static void assertClose(float[] ours, float[] expected, double tolerance, String what) {
        assertThat(ours).as(what + ": length").hasSameSizeAs(expected);
        double worst = 0;
        for (int i = 0; i < ours.length; i++) {
            worst = Math.max(worst, Math.abs(ours[i] - expected[i]));
        }
        assertThat(worst).as(what + ": largest difference").isCloseTo(0, within(tolerance));
    }
}
