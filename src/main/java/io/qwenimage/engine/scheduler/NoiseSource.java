package io.qwenimage.engine.scheduler;

/** Fills buffers with independent standard normal samples; deterministic for a given seed. */
@FunctionalInterface
public interface NoiseSource {

    /** Overwrites every element of {@code out} with the next N(0, 1) samples. */
    void fill(float[] out);
}
