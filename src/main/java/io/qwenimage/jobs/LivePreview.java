package io.qwenimage.jobs;

import io.qwenimage.engine.RgbImage;

/**
 * The latest live preview of a running job: the picture the model predicts after {@code step} of {@code total},
 * at the latents' resolution (encoded by whoever shows it, off the worker).
 *
 * @param index 0 for the job's first preview, then 1, 2, ...
 */
public record LivePreview(int step, int total, int index, RgbImage picture) {
}
