package io.qwenimage.engine.pipeline;

import io.qwenimage.engine.InpaintMask;
import io.qwenimage.engine.scheduler.Scheduler;
import java.util.function.UnaryOperator;

/**
 * Inpainting by latent blending in flow matching's noise (diffusers' FluxInpaintPipeline,
 * StableDiffusion3InpaintPipeline, QwenImageInpaintPipeline): each image's clean latents and initial noise are
 * kept, and after every step the latents outside the mask become the picture's own noised to the next step's sigma
 * ({@code scale_noise}; clean after the last), {@code (1 - m) x_kept + m x}. Everything is in the family's own
 * latent layout ({@code toModelLayout}: FLUX and Qwen-Image pack 2x2 patches, SD3 keeps them planar).
 */
final class KeptPart {

    private final InpaintMask mask;
    private final int width;
    private final int height;
    private final UnaryOperator<float[]> toModelLayout;
    /** The latent mask (1 = repaint) repeated over the channels, in the model's layout. */
    private final float[] latentMask;
    private final float[][] clean;
    private final float[][] start;

    /** For {@code images} pictures of {@code width x height} with {@code channels} latent channels. */
    KeptPart(InpaintMask mask, int channels, int width, int height, int images, UnaryOperator<float[]> toModelLayout) {
        this.mask = mask;
        this.width = width;
        this.height = height;
        this.toModelLayout = toModelLayout;
        float[] area = mask.latent(width, height);
        float[] planar = new float[channels * area.length];
        for (int c = 0; c < channels; c++) {
            System.arraycopy(area, 0, planar, c * area.length, area.length);
        }
        this.latentMask = toModelLayout.apply(planar);
        this.clean = new float[images][];
        this.start = new float[images][];
    }

    /**
     * Keeps image {@code i}'s planar clean latents and initial noise (copies); then A1111's latent fills change the
     * masked part of {@code planarClean} before it is noised (latent noise: the initial noise; latent nothing: 0).
     */
    void keep(int i, float[] planarClean, float[] planarStart) {
        clean[i] = toModelLayout.apply(planarClean.clone());
        start[i] = toModelLayout.apply(planarStart.clone());
        InpaintMask.Fill fill = mask.fill();
        if (fill == InpaintMask.Fill.LATENT_NOISE || fill == InpaintMask.Fill.LATENT_NOTHING) {
            float[] area = mask.latent(width, height);
            for (int k = 0; k < planarClean.length; k++) {
                if (area[k % area.length] != 0f) {
                    planarClean[k] = fill == InpaintMask.Fill.LATENT_NOISE ? planarStart[k] : 0f;
                }
            }
        }
    }

    /** After step {@code step}: every image's kept part put back into {@code latents} (planes of {@code plane}). */
    void putBack(int step, Scheduler scheduler, float[] latents, int plane) {
        float[] kept = new float[plane];
        for (int i = 0; i < clean.length; i++) {
            System.arraycopy(clean[i], 0, kept, 0, plane);
            if (step < scheduler.steps() - 1) {
                scheduler.addNoise(step + 1, kept, start[i]);
            }
            for (int k = 0; k < plane; k++) {
                float m = latentMask[k];
                latents[i * plane + k] = (1 - m) * kept[k] + m * latents[i * plane + k];
            }
        }
    }
}
