/**
 * The diffusion engine, plain Java (no Quarkus, CDI or HTTP): opens ONNX models of the families it serves (Stable
 * Diffusion, Qwen-Image) and turns prompts (and optionally pictures) into pictures.
 * {@link io.qwenimage.engine.pipeline.Pipelines#open} opens a folder with its family's
 * {@link io.qwenimage.engine.pipeline.ImagePipeline}; requests and results are plain records; a {@link io.qwenimage.engine.CancellationToken} stops a run
 * within one step.
 */
package io.qwenimage.engine;
