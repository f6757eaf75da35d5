package io.qwenimage.engine.scheduler;

import java.util.Arrays;

/**
 * Euler (diffusers' {@code EulerDiscreteScheduler}, s_churn = 0) and Euler ancestral
 * ({@code EulerAncestralDiscreteScheduler}). Works on sigma-scaled latents; linspace timesteps stay fractional.
 */
final class EulerScheduler extends TimestepScheduler {

    private final boolean ancestral;
    private final double[] sigmas;      // one per timestep, then 0
    private final double initSigma;
    private float[] fresh;

    EulerScheduler(SchedulerConfig config, SchedulerKind kind, int steps, int start, boolean ancestral) {
        this(config, float32(Spacing.timesteps(config.spacingFor(kind), steps, config.numTrainTimesteps(),
                config.resolvedStepsOffset(), false)), config.spacingFor(kind), start, ancestral);
    }

    /** diffusers keeps Euler's timesteps in float32 (and interpolates sigma at those values). */
    private static double[] float32(double[] t) {
        for (int i = 0; i < t.length; i++) {
            t[i] = (float) t[i];
        }
        return t;
    }

    private EulerScheduler(SchedulerConfig config, double[] all, TimestepSpacing spacing, int start,
                           boolean ancestral) {
        super(config, Arrays.copyOfRange(all, start, all.length));
        this.ancestral = ancestral;
        double[] allSigmas = new double[all.length + 1];
        double max = 0;
        for (int i = 0; i < all.length; i++) {
            allSigmas[i] = schedule.sigmaAt(all[i]);
            max = Math.max(max, allSigmas[i]);
        }
        this.initSigma = spacing == TimestepSpacing.LEADING ? Math.sqrt(max * max + 1) : max;
        this.sigmas = Arrays.copyOfRange(allSigmas, start, allSigmas.length);
    }

    /** The sigma at evaluation {@code i} (the last entry, at {@code steps()}, is 0). */
    double sigma(int i) {
        return sigmas[i];
    }

    @Override
    public double initNoiseSigma() {
        return initSigma;
    }

    @Override
    public double inputScale(int i) {
        return 1 / Math.sqrt(sigmas[i] * sigmas[i] + 1);
    }

    @Override
    public void step(int i, float[] modelOutput, float[] sample, NoiseSource noise) {
        double sigma = sigmas[i];
        double next = sigmas[i + 1];
        double up = 0;
        double target = next;
        if (ancestral) {
            up = Math.sqrt(next * next * (sigma * sigma - next * next) / (sigma * sigma));
            target = Math.sqrt(next * next - up * up);
        }
        double dt = target - sigma;
        for (int k = 0; k < sample.length; k++) {
            double x = sample[k];
            double m = modelOutput[k];
            double x0 = x0(sigma, m, x);
            sample[k] = (float) (x + (x - x0) / sigma * dt);
        }
        if (up > 0) {
            if (fresh == null || fresh.length != sample.length) {
                fresh = new float[sample.length];
            }
            noise.fill(fresh);
            for (int k = 0; k < sample.length; k++) {
                sample[k] += (float) (fresh[k] * up);
            }
        }
    }

    private double x0(double sigma, double m, double x) {
        return switch (prediction) {
            case EPSILON -> x - sigma * m;
            case V_PREDICTION -> m * (-sigma / Math.sqrt(sigma * sigma + 1)) + x / (sigma * sigma + 1);
            case SAMPLE -> m;
        };
    }

    @Override
    public void denoised(int i, float[] modelOutput, float[] sample, float[] into) {
        for (int k = 0; k < sample.length; k++) {
            into[k] = (float) x0(sigmas[i], modelOutput[k], sample[k]);
        }
    }

    @Override
    public void addNoise(int i, float[] latents, float[] noise) {
        double sigma = sigmas[i];
        for (int k = 0; k < latents.length; k++) {
            latents[k] = (float) (latents[k] + sigma * noise[k]);
        }
    }
}
