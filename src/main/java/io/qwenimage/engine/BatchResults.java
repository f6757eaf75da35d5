package io.qwenimage.engine;

/**
 * Where {@link io.qwenimage.engine.pipeline.ImagePipeline#generateTogether} delivers each entry's outcome, exactly once per entry and as
 * soon as it is known: a cancelled entry fails at the next step while the others go on, and each entry succeeds
 * as soon as its own pictures are decoded.
 */
public interface BatchResults {

    /** Entry {@code index} is done. */
    void succeeded(int index, GenerationResult result);

    /**
     * Entry {@code index} failed: {@link GenerationCancelledException} when its token fired,
     * {@link IllegalArgumentException} for a request the model cannot serve, another exception for an engine
     * failure.
     */
    void failed(int index, RuntimeException error);
}
