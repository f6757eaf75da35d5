/**
 * The diffusion engine, plain Java (no Quarkus, CDI or HTTP): opens Stable-Diffusion-family ONNX models and turns
 * prompts (and optionally pictures) into pictures. {@link io.qwenimage.engine.DiffusionPipeline} is the entry
 * point; requests and results are plain records; a {@link io.qwenimage.engine.CancellationToken} stops a run
 * within one step.
 */
package io.qwenimage.engine;
