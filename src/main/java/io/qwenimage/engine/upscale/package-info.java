/**
 * Image upscalers: ONNX super-resolution models in the common layout of Real-ESRGAN and SwinIR exports (RGB in
 * [0, 1], {@code (1, 3, H, W)} to {@code (1, 3, sH, sW)}), run tile by tile with overlapping, blended seams so
 * that a large picture needs memory for a band of tiles only. Plain Java: no Quarkus, CDI or HTTP.
 */
package io.qwenimage.engine.upscale;
