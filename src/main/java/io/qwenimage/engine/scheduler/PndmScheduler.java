package io.qwenimage.engine.scheduler;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;

/**
 * PNDM with skip_prk_steps (PLMS, Stable Diffusion 1.x's default), diffusers' {@code PNDMScheduler.step_plms}:
 * N + 1 UNet evaluations (the second timestep repeats), fourth-order linear multistep on epsilon.
 */
final class PndmScheduler extends TimestepScheduler {

    private final int stride;
    private final double finalAlphaCumprod;
    private final Deque<float[]> ets = new ArrayDeque<>();
    private float[] curSample;
    private float[] curSampleBuffer;
    private float[] e;
    private int counter;

    PndmScheduler(SchedulerConfig config, int steps, int start) {
        super(config, plmsTimesteps(config, steps, start));
        this.stride = config.numTrainTimesteps() / steps;
        this.finalAlphaCumprod = config.setAlphaToOneFor(SchedulerKind.PNDM) ? 1.0 : schedule.alphaCumprod(0);
    }

    /** diffusers' PLMS list: the base timesteps with the second one repeated (N + 1 entries), from {@code start}. */
    private static double[] plmsTimesteps(SchedulerConfig config, int steps, int start) {
        double[] base = Spacing.timesteps(config.spacingFor(SchedulerKind.PNDM), steps, config.numTrainTimesteps(),
                config.resolvedStepsOffset(), true);
        double[] all = new double[steps == 1 ? 1 : steps + 1];
        all[0] = base[0];
        for (int i = 1; i < steps; i++) {
            all[i + 1] = base[i];
        }
        if (steps > 1) {
            all[1] = base[1];
        }
        return Arrays.copyOfRange(all, start, all.length);
    }

    @Override
    public void step(int i, float[] modelOutput, float[] sample, NoiseSource noise) {
        int t = (int) timesteps[i];
        int prev = t - stride;
        // the caller reuses modelOutput's array, so the history keeps copies; at most four, recycled
        float[] out = modelOutput;
        if (counter != 1) {
            float[] kept = ets.size() > 3 ? ets.removeFirst() : new float[out.length];
            System.arraycopy(out, 0, kept, 0, out.length);
            ets.addLast(kept);
        } else {
            prev = t;
            t = t + stride;
        }
        if (e == null || e.length != out.length) {
            e = new float[out.length];
        }
        float[] e = this.e;
        float[][] h = ets.toArray(new float[0][]);
        int n = h.length;
        float[] x = sample;
        if (n == 1 && counter == 0) {
            System.arraycopy(out, 0, e, 0, e.length);
            if (curSampleBuffer == null || curSampleBuffer.length != sample.length) {
                curSampleBuffer = new float[sample.length];
            }
            System.arraycopy(sample, 0, curSampleBuffer, 0, sample.length);
            curSample = curSampleBuffer;
        } else if (n == 1 && counter == 1) {
            for (int k = 0; k < e.length; k++) {
                e[k] = (out[k] + h[0][k]) / 2;
            }
            x = curSample;
            curSample = null;
        } else if (n == 2) {
            for (int k = 0; k < e.length; k++) {
                e[k] = (3 * h[1][k] - h[0][k]) / 2;
            }
        } else if (n == 3) {
            for (int k = 0; k < e.length; k++) {
                e[k] = (23 * h[2][k] - 16 * h[1][k] + 5 * h[0][k]) / 12;
            }
        } else {
            for (int k = 0; k < e.length; k++) {
                e[k] = (55 * h[n - 1][k] - 59 * h[n - 2][k] + 37 * h[n - 3][k] - 9 * h[n - 4][k]) / 24;
            }
        }
        previousSample(x, t, prev, e, sample);
        counter++;
    }

    /** diffusers' {@code _get_prev_sample} (formula (9) of the PNDM paper). */
    private void previousSample(float[] x, int t, int prev, float[] e, float[] into) {
        double alpha = schedule.alphaCumprod(t);
        double alphaPrev = prev >= 0 ? schedule.alphaCumprod(prev) : finalAlphaCumprod;
        double beta = 1 - alpha;
        double betaPrev = 1 - alphaPrev;
        double sampleCoeff = Math.sqrt(alphaPrev / alpha);
        double denom = alpha * Math.sqrt(betaPrev) + Math.sqrt(alpha * beta * alphaPrev);
        for (int k = 0; k < into.length; k++) {
            double eps = prediction == PredictionType.V_PREDICTION
                    ? Math.sqrt(alpha) * e[k] + Math.sqrt(beta) * x[k] : e[k];
            into[k] = (float) (sampleCoeff * x[k] - (alphaPrev - alpha) * eps / denom);
        }
    }

}
