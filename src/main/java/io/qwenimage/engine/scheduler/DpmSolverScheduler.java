package io.qwenimage.engine.scheduler;

import java.util.Arrays;

/**
 * DPM-Solver++ 2M (diffusers' {@code DPMSolverMultistepScheduler} with algorithm_type "dpmsolver++",
 * solver_order 2, solver_type "midpoint", final_sigmas_type "zero"), optionally on Karras sigmas. The first step
 * is first order; the last step (to sigma 0) returns the predicted clean sample.
 */
final class DpmSolverScheduler extends TimestepScheduler {

    private static final double RHO = 7.0;

    private final double[] sigmas;       // VE sigma per timestep, then 0
    private float[] previousX0;
    private float[] x0Buffer;
    private int ordersDone;

    DpmSolverScheduler(SchedulerConfig config, SchedulerKind kind, int steps, int start, boolean karras) {
        this(config, grid(config, kind, steps, karras), start);
    }

    private DpmSolverScheduler(SchedulerConfig config, double[][] grid, int start) {
        super(config, Arrays.copyOfRange(grid[0], start, grid[0].length));
        this.sigmas = Arrays.copyOfRange(grid[1], start, grid[1].length);
    }

    /** {timesteps, sigmas + final 0}: spaced timesteps with interpolated sigmas, or Karras sigmas (rho 7). */
    private static double[][] grid(SchedulerConfig config, SchedulerKind kind, int steps, boolean karras) {
        NoiseSchedule schedule = config.noiseSchedule();
        double[] t;
        double[] s = new double[steps + 1];
        if (karras) {
            t = new double[steps];
            double maxInv = Math.pow(schedule.sigmaMax(), 1 / RHO);
            double minInv = Math.pow(schedule.sigmaMin(), 1 / RHO);
            for (int i = 0; i < steps; i++) {
                double ramp = steps == 1 ? 0 : (double) i / (steps - 1);
                s[i] = Math.pow(maxInv + ramp * (minInv - maxInv), RHO);
                t[i] = Math.rint(schedule.timestepOfSigma(s[i]));
            }
        } else {
            t = Spacing.dpmTimesteps(config.spacingFor(kind), steps, config.numTrainTimesteps(),
                    config.resolvedStepsOffset());
            for (int i = 0; i < steps; i++) {
                s[i] = schedule.sigmaAt(t[i]);
            }
        }
        return new double[][] {t, s};
    }

    /** VE sigma at evaluation {@code i}; the entry at {@code steps()} is 0. */
    double sigma(int i) {
        return sigmas[i];
    }

    /**
     * Image-to-image: noised at the sigma where the run begins ({@code alpha_t x0 + sigma_t eps} of that sigma),
     * as diffusers' DPM-Solver does; with Karras sigmas that differs from the alpha-bar of the rounded timestep.
     */
    @Override
    public void addNoise(int i, float[] latents, float[] noise) {
        double alphaT = alpha(sigmas[i]);
        double sigmaT = sigmas[i] * alphaT;
        for (int k = 0; k < latents.length; k++) {
            latents[k] = (float) (alphaT * latents[k] + sigmaT * noise[k]);
        }
    }

    @Override
    double alphaBarAt(int i) {
        double alphaT = alpha(sigmas[i]);
        return alphaT * alphaT;
    }

    @Override
    public void step(int i, float[] modelOutput, float[] sample, NoiseSource noise) {
        double alphaS = alpha(sigmas[i]);
        double sigmaS = sigmas[i] * alphaS;
        // two buffers, swapped each step: this step's x0 and the previous one (second-order update)
        if (x0Buffer == null || x0Buffer.length != sample.length) {
            x0Buffer = new float[sample.length];
        }
        float[] x0 = x0Buffer;
        for (int k = 0; k < sample.length; k++) {
            double x = sample[k];
            double m = modelOutput[k];
            x0[k] = (float) switch (prediction) {
                case EPSILON -> (x - sigmaS * m) / alphaS;
                case V_PREDICTION -> alphaS * x - sigmaS * m;
                case SAMPLE -> m;
            };
        }
        if (sigmas[i + 1] == 0) {
            System.arraycopy(x0, 0, sample, 0, sample.length);
        } else {
            double alphaT = alpha(sigmas[i + 1]);
            double sigmaT = sigmas[i + 1] * alphaT;
            double h = lambda(alphaT, sigmaT) - lambda(alphaS, sigmaS);
            double ratio = sigmaT / sigmaS;
            double coef = alphaT * (Math.exp(-h) - 1);
            if (ordersDone == 0 || previousX0 == null) {
                for (int k = 0; k < sample.length; k++) {
                    sample[k] = (float) (ratio * sample[k] - coef * x0[k]);
                }
            } else {
                double alphaPrev = alpha(sigmas[i - 1]);
                double h0 = lambda(alphaS, sigmaS) - lambda(alphaPrev, sigmas[i - 1] * alphaPrev);
                double r0 = h0 / h;
                for (int k = 0; k < sample.length; k++) {
                    double d1 = (x0[k] - previousX0[k]) / r0;
                    sample[k] = (float) (ratio * sample[k] - coef * x0[k] - 0.5 * coef * d1);
                }
            }
        }
        x0Buffer = previousX0;
        previousX0 = x0;
        ordersDone++;
    }

    private static double alpha(double sigma) {
        return 1 / Math.sqrt(sigma * sigma + 1);
    }

    private static double lambda(double alpha, double sigma) {
        return Math.log(alpha) - Math.log(sigma);
    }
}
