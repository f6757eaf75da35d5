package io.qwenimage.engine;

/**
 * Told where a generation is: the start of each phase, the end of every denoising step, and previews when asked. Called on the
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

    /**
     * Whether the caller wants a live preview of the picture as it will stand after {@code step} of {@code total};
     * asked before each step, so a caller can start or stop wanting them while the generation runs. False by
     * default: a caller that does not ask pays nothing.
     */
    default boolean wantsPreview(int step, int total) {
        return false;
    }

    /**
     * A small preview (the latents' resolution: an eighth of the picture's sides) of the picture the model predicts
     * after {@code step} of {@code total}, when {@link #wantsPreview} said yes. Called on the generating thread:
     * keep the picture, encode it elsewhere.
     */
    default void onPreview(int step, int total, RgbImage preview) {
    }
}
