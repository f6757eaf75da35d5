package io.qwenimage.engine.pipeline;

import ai.onnxruntime.OrtException;
import io.qwenimage.engine.scheduler.NoiseSource;
import io.qwenimage.engine.scheduler.Scheduler;

/**
 * The denoising loop every pipeline family runs: before each step, drop the entries whose caller cancelled (and
 * stop when none is left); the family's model prediction for the current latents (guidance included); the
 * scheduler's update in place; progress (and previews to those who asked) to the entries still running.
 */
final class DenoisingLoop {

    private DenoisingLoop() {
    }

    /** The model's (guided) output for the latents as they are at {@code step}. */
    @FunctionalInterface
    interface Prediction {
        float[] at(int step) throws OrtException;
    }

    /** The entries of a run, as the loop sees them. */
    interface Members {
        /** Fails the cancelled entries; false when none is left. */
        boolean stillRunning();

        /** {@code step} of {@code total} steps is done. */
        void stepDone(int step, int total);

        /**
         * Gives the entries that want one a preview of evaluation {@code step}'s prediction, before the scheduler
         * moves {@code latents}.
         */
        void preview(Scheduler scheduler, int step, float[] modelOutput, float[] latents) throws OrtException;
    }

    /** What a run does to the latents after each scheduler step (inpainting puts the kept part back). */
    @FunctionalInterface
    interface AfterStep {
        AfterStep NONE = step -> { };

        void after(int step);
    }

    /**
     * Runs every step of {@code scheduler} over {@code latents}.
     *
     * @return false when every entry was cancelled on the way
     */
    static boolean run(Scheduler scheduler, float[] latents, NoiseSource noise, Prediction prediction,
                       Members members) throws OrtException {
        return run(scheduler, latents, noise, prediction, AfterStep.NONE, members);
    }

    /** {@link #run(Scheduler, float[], NoiseSource, Prediction, Members)} with {@code after} each step. */
    static boolean run(Scheduler scheduler, float[] latents, NoiseSource noise, Prediction prediction,
                       AfterStep after, Members members) throws OrtException {
        for (int step = 0; step < scheduler.steps(); step++) {
            if (!members.stillRunning()) {
                return false;
            }
            float[] out = prediction.at(step);
            members.preview(scheduler, step, out, latents);
            scheduler.step(step, out, latents, noise);
            after.after(step);
            members.stepDone(step + 1, scheduler.steps());
        }
        return true;
    }
}
