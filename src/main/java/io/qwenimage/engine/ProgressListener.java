package io.qwenimage.engine;

/**
 * Told where a generation is: the start of each phase and the end of every denoising step. Called on the
 * generating thread, so it must be quick.
 */
@FunctionalInterface
public interface ProgressListener {

    ProgressListener NONE = (step, total) -> { };

    /** The parts of a generation, in order (image encoding only for image-to-image). */
    enum Phase { TEXT_ENCODING, IMAGE_ENCODING, DENOISING, DECODING }

    /** {@code step} of {@code total} UNet evaluations are done. */
    void onStep(int step, int total);

    /** {@code phase} begins; the previous one has ended. */
    default void onPhase(Phase phase) {
    }
}
