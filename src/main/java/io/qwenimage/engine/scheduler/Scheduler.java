package io.qwenimage.engine.scheduler;

/**
 * One denoising run's scheduler: which timesteps the UNet is called at, how its input is scaled, and how each
 * output moves the latents. Stateful (multistep solvers keep history): create one per generation with
 * {@link SchedulerKind#create}. Latents are flat float arrays, updated in place.
 */
public interface Scheduler {

    /** Number of UNet evaluations. */
    int steps();

    /** The timestep value given to the UNet at evaluation {@code i} (fractional for linspace Euler). */
    double timestep(int i);

    /** Standard deviation of the initial noise for text-to-image (the pipeline multiplies N(0,1) noise by it). */
    default double initNoiseSigma() {
        return 1.0;
    }

    /** Factor applied to the latents before the UNet call at evaluation {@code i} (1 for most schedulers). */
    default double inputScale(int i) {
        return 1.0;
    }

    /**
     * Advances {@code sample} in place with the UNet's output at evaluation {@code i}.
     *
     * @param noise fresh noise for stochastic schedulers (Euler ancestral, LCM); others never call it
     */
    void step(int i, float[] modelOutput, float[] sample, NoiseSource noise);

    /** Image-to-image: noises clean latents in place to the first timestep of this (truncated) schedule. */
    default void addNoise(float[] latents, float[] noise) {
        addNoise(0, latents, noise);
    }

    /**
     * Noises clean latents in place to the noise level of evaluation {@code i} (diffusers' {@code add_noise} at
     * {@code timesteps[i]}); inpainting re-noises the kept part of the picture so to the level of the next step.
     *
     * @param i 0 to {@code steps() - 1}
     */
    void addNoise(int i, float[] latents, float[] noise);

    /**
     * The clean latents that the model output at evaluation {@code i} predicts for {@code sample} (diffusers'
     * {@code pred_original_sample}), written to {@code into}; {@code sample} is not changed. Live previews show it
     * rather than the noisy latents, so the picture is visible from the first steps.
     */
    void denoised(int i, float[] modelOutput, float[] sample, float[] into);
}
