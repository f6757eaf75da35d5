package io.qwenimage.engine.pipeline;

import ai.onnxruntime.OrtSession;
import io.qwenimage.engine.BatchEntry;
import io.qwenimage.engine.BatchResults;
import io.qwenimage.engine.GenerationCancelledException;
import io.qwenimage.engine.ProgressListener;
import java.util.List;

/**
 * The state of one run shared by every family: its entries' image rows, in entry order ({@link #firstImage}), which
 * entries are still in it, and the time spent inside ONNX Runtime.
 */
abstract class BatchRun implements DenoisingLoop.Members {

    final List<BatchEntry> entries;
    final BatchResults results;
    final boolean[] done;
    final OrtSession.RunOptions run;
    /** {@code firstImage[j]} is entry j's first image row; {@code firstImage[entries.size()]} is {@link #images}. */
    final int[] firstImage;
    final int images;
    long onnx;

    BatchRun(List<BatchEntry> entries, BatchResults results, boolean[] done, OrtSession.RunOptions run) {
        this.entries = entries;
        this.results = results;
        this.done = done;
        this.run = run;
        this.firstImage = new int[entries.size() + 1];
        for (int j = 0; j < entries.size(); j++) {
            firstImage[j + 1] = firstImage[j] + entries.get(j).request().numImages();
        }
        this.images = firstImage[entries.size()];
    }

    /** Fails every entry whose token fired; false when none is left. */
    final boolean dropCancelled() {
        boolean any = false;
        for (int j = 0; j < entries.size(); j++) {
            if (!done[j] && entries.get(j).cancel().isCancelled()) {
                done[j] = true;
                results.failed(j, new GenerationCancelledException(entries.get(j).cancel().reason()));
            }
            any |= !done[j];
        }
        return any;
    }

    /** Tells the entries still running that {@code phase} begins. */
    final void phase(ProgressListener.Phase phase) {
        for (int j = 0; j < entries.size(); j++) {
            if (!done[j]) {
                entries.get(j).progress().onPhase(phase);
            }
        }
    }

    @Override
    public final boolean stillRunning() {
        return dropCancelled();
    }

    @Override
    public final void stepDone(int step, int total) {
        for (int j = 0; j < entries.size(); j++) {
            if (!done[j]) {
                entries.get(j).progress().onStep(step, total);
            }
        }
    }
}
