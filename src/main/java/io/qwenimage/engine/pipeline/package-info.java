/**
 * One pipeline class per model family over shared parts ({@link io.qwenimage.engine.pipeline.ImagePipeline}: batch
 * checks and cancellation; {@code BatchRun}: the entries of a run; {@code DenoisingLoop}: the step loop), and
 * {@link io.qwenimage.engine.pipeline.Pipelines}, which opens a model folder with its family's pipeline.
 */
package io.qwenimage.engine.pipeline;
