package io.qwenimage.engine;

/**
 * One request of a batch run by {@link io.qwenimage.engine.pipeline.ImagePipeline#generateTogether}, with its own progress and
 * cancellation.
 */
public record BatchEntry(GenerationRequest request, ProgressListener progress, CancellationToken cancel) {
}
