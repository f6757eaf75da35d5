package io.qwenimage.engine;

import java.util.List;

/**
 * The pictures of one request, in seed order.
 *
 * @param images          one per requested image
 * @param seeds           the seed of each image (seed, seed + 1, ...)
 * @param truncatedPrompt words of the prompt dropped because it was longer than the text encoder reads, or ""
 * @param onnxNanos       time spent inside ONNX Runtime calls
 * @param cached          the pictures were not computed but served from a result cache (then {@code images} is
 *                        empty: only their encoded form was kept)
 */
public record GenerationResult(List<RgbImage> images, List<Long> seeds, String truncatedPrompt, long onnxNanos,
                               boolean cached) {

    /** Computed pictures. */
    public GenerationResult(List<RgbImage> images, List<Long> seeds, String truncatedPrompt, long onnxNanos) {
        this(images, seeds, truncatedPrompt, onnxNanos, false);
    }
}
