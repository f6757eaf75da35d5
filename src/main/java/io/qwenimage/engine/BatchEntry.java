package io.qwenimage.engine;

/**
 * One request of a batch run by {@link DiffusionPipeline#generateTogether}, with its own progress and
 * cancellation.
 */
public record BatchEntry(GenerationRequest request, ProgressListener progress, CancellationToken cancel) {
}
