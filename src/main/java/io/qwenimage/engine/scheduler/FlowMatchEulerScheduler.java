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
        double[] base = Spacing.linspace(1.0, 1.0 / steps, steps, true);
        double[] s = new double[steps + 1];
        double mu = config.mu(imageTokens);
        double eMu = config.exponentialShift() ? Math.exp(mu) : mu;
        for (int i = 0; i < steps; i++) {
            double t = (float) base[i];
            s[i] = config.useDynamicShifting() ? eMu / (eMu + (1 / t - 1))
                    : config.shift() * t / (1 + (config.shift() - 1) * t);
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

    @Override
    public void addNoise(float[] latents, float[] noise) {
        double sigma = sigmas[0];
        for (int k = 0; k < latents.length; k++) {
            latents[k] = (float) (sigma * noise[k] + (1 - sigma) * latents[k]);
        }
    }
}
