package io.qwenimage.engine;

import java.util.List;

/**
 * The pictures of one request, in seed order.
 *
 * @param images          one per requested image
 * @param seeds           the seed of each image (seed, seed + 1, ...)
 * @param truncatedPrompt words of the prompt dropped because it was longer than the text encoder reads, or ""
 * @param onnxNanos       time spent inside ONNX Runtime calls
 */
public record GenerationResult(List<RgbImage> images, List<Long> seeds, String truncatedPrompt, long onnxNanos) {
}
