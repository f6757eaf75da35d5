package io.qwenimage.engine.scheduler;

/**
 * Flow-matching Euler (diffusers' {@code FlowMatchEulerDiscreteScheduler}, as the Qwen-Image pipeline drives it):
 * {@code x_t = (1 - sigma) x0 + sigma eps}, the model predicts the velocity {@code eps - x0}, each step moves
 * {@code x += (sigma_next - sigma) v}. Base sigmas {@code linspace(1, 1/N, N)}, shifted by mu of the image's token
 * count (dynamic) or by the static shift, stretched to shift_terminal; then 0. Image-to-image starts at index
 * {@code int(N - min(N * strength, N))} (the Qwen-Image img2img rule, with its float arithmetic) and noises with
 * {@code scale_noise}: {@code sigma eps + (1 - sigma) x0}.
 */
final class FlowMatchEulerScheduler implements Scheduler {

    private final double[] sigmas;      // the run's sigmas, then 0
    private final int trainSteps;

    FlowMatchEulerScheduler(FlowMatchConfig config, int steps, int start, int imageTokens) {
        double[] all = schedule(config, steps, imageTokens);
        this.sigmas = java.util.Arrays.copyOfRange(all, start, all.length);
        this.trainSteps = config.numTrainTimesteps();
    }

    /** The N shifted sigmas and the final 0, in float32 as diffusers keeps them. */
    static double[] schedule(FlowMatchConfig config, int steps, int imageTokens) {
        double[] s = new double[steps + 1];
        double[] base = baseSigmas(config, steps);
        double mu = config.mu(imageTokens);
        double eMu = config.exponentialShift() ? Math.exp(mu) : mu;
        for (int i = 0; i < steps; i++) {
            double t = base[i];
            s[i] = config.useDynamicShifting() ? eMu / (eMu + (1 / t - 1)) : config.shifted(t);
        }
        if (config.shiftTerminal() != null) {
            double scale = (1 - s[steps - 1]) / (1 - config.shiftTerminal());
            for (int i = 0; i < steps; i++) {
                s[i] = 1 - (1 - s[i]) / scale;
            }
        }
        for (int i = 0; i < steps; i++) {
            s[i] = (float) s[i];
        }
        return s;
    }

    /**
     * The unshifted sigmas: the pipeline's {@code linspace(1, 1/N, N)} in float32, or (SD3) {@code linspace} from
     * the training table's first to its last sigma, in float64 as numpy computes it. The table is
     * {@code linspace(1, T, T) / T} in float32, shifted when the shift is static, so its last sigma is
     * {@code shift(1/T)} (0.002994 for SD3's 3.0) and its first 1.
     */
    private static double[] baseSigmas(FlowMatchConfig config, int steps) {
        if (config.baseSigmas() == FlowMatchConfig.BaseSigmas.PIPELINE_LINSPACE) {
            double[] base = Spacing.linspace(1.0, 1.0 / steps, steps, true);
            for (int i = 0; i < steps; i++) {
                base[i] = (float) base[i];
            }
            return base;
        }
        int t = config.numTrainTimesteps();
        double first = (float) (config.useDynamicShifting() ? 1.0 : config.shifted(1.0));
        double last = (float) (config.useDynamicShifting() ? 1.0 / t : config.shifted((float) (1.0 / t)));
        // diffusers: linspace(sigma_max * T, sigma_min * T, N) / T
        double[] base = Spacing.linspace(first * t, last * t, steps, true);
        for (int i = 0; i < steps; i++) {
            base[i] /= t;
        }
        return base;
    }

    /** The first step index image-to-image runs: {@code int(N - min(N * strength, N))}. */
    static int start(int steps, double strength) {
        return (int) Math.max(steps - Math.min(steps * strength, steps), 0);
    }

    /** Sigma at evaluation {@code i}; the entry at {@code steps()} is 0. */
    double sigma(int i) {
        return sigmas[i];
    }

    @Override
    public int steps() {
        return sigmas.length - 1;
    }

    /** sigma x T, what diffusers reports as the timestep (the transformer is given sigma itself). */
    @Override
    public double timestep(int i) {
        return (float) (sigmas[i] * trainSteps);
    }

    @Override
    public void step(int i, float[] modelOutput, float[] sample, NoiseSource noise) {
        double dt = sigmas[i + 1] - sigmas[i];
        for (int k = 0; k < sample.length; k++) {
            sample[k] = (float) (sample[k] + dt * modelOutput[k]);
        }
    }

    /** The velocity is noise minus the clean sample, and {@code x = sigma noise + (1 - sigma) x0}. */
    @Override
    public void denoised(int i, float[] modelOutput, float[] sample, float[] into) {
        double sigma = sigmas[i];
        for (int k = 0; k < sample.length; k++) {
            into[k] = (float) (sample[k] - sigma * modelOutput[k]);
        }
    }

    @Override
    public void addNoise(int i, float[] latents, float[] noise) {
        double sigma = sigmas[i];
        for (int k = 0; k < latents.length; k++) {
            latents[k] = (float) (sigma * noise[k] + (1 - sigma) * latents[k]);
        }
    }
}
