package io.qwenimage.engine.pipeline;

import io.qwenimage.engine.scheduler.NoiseSource;

/** Where an image's noise comes from, by its seed: {@code GaussianNoise} in service, a reference's noise in tests. */
@FunctionalInterface
interface NoiseFactory {
    NoiseSource forSeed(long seed);
}
