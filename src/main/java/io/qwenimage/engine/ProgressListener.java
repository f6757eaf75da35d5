package io.qwenimage.engine;

/** Told after every denoising step; called on the generating thread, so it must be quick. */
@FunctionalInterface
public interface ProgressListener {

    ProgressListener NONE = (step, total) -> { };

    /** {@code step} of {@code total} UNet evaluations are done. */
    void onStep(int step, int total);
}
