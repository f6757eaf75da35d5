package io.qwenimage.engine.scheduler;

import java.util.Arrays;

/**
 * Latent Consistency Model multistep sampling (diffusers' {@code LCMScheduler}: original_inference_steps 50,
 * timestep_scaling 10): each step predicts the clean sample with the consistency boundary conditions and, except
 * on the last step, re-noises it to the next timestep.
 */
final class LcmScheduler extends TimestepScheduler {

    private static final int ORIGINAL_STEPS = 50;
    private static final double TIMESTEP_SCALING = 10.0;
    private static final double SIGMA_DATA = 0.5;

    private final double finalAlphaCumprod;
    private float[] fresh;

    LcmScheduler(SchedulerConfig config, int steps, int start, double strength) {
        super(config, lcmTimesteps(config, steps, start, strength));
        this.finalAlphaCumprod = config.setAlphaToOneFor(SchedulerKind.LCM) ? 1.0 : schedule.alphaCumprod(0);
    }

    /** Evenly skipping through the 50 "origin" timesteps of LCM distillation, from {@code start}. */
    private static double[] lcmTimesteps(SchedulerConfig config, int steps, int start, double strength) {
        int k = config.numTrainTimesteps() / ORIGINAL_STEPS;
        int originCount = Math.max(1, (int) (ORIGINAL_STEPS * strength));
        double[] origin = new double[originCount];
        for (int i = 0; i < originCount; i++) {
            origin[originCount - 1 - i] = (double) (i + 1) * k - 1;
        }
        double[] all = new double[steps];
        for (int i = 0; i < steps; i++) {
            all[i] = origin[(int) Math.floor((double) originCount * i / steps)];
        }
        return Arrays.copyOfRange(all, start, all.length);
    }





    @Override
    public void step(int i, float[] modelOutput, float[] sample, NoiseSource noise) {
        int t = (int) timesteps[i];
        boolean last = i == timesteps.length - 1;
        int prev = last ? t : (int) timesteps[i + 1];
        double alpha = schedule.alphaCumprod(t);
        double alphaPrev = prev >= 0 ? schedule.alphaCumprod(prev) : finalAlphaCumprod;
        double scaled = t * TIMESTEP_SCALING;
        double cSkip = SIGMA_DATA * SIGMA_DATA / (scaled * scaled + SIGMA_DATA * SIGMA_DATA);
        double cOut = scaled / Math.sqrt(scaled * scaled + SIGMA_DATA * SIGMA_DATA);
        if (!last) {
            if (fresh == null || fresh.length != sample.length) {
                fresh = new float[sample.length];
            }
            noise.fill(fresh);
        }
        double a = Math.sqrt(alphaPrev);
        double b = Math.sqrt(1 - alphaPrev);
        for (int k = 0; k < sample.length; k++) {
            double x0 = Prediction.x0(prediction, modelOutput[k], sample[k], alpha);
            double denoised = cOut * x0 + cSkip * sample[k];
            sample[k] = (float) (last ? denoised : a * denoised + b * fresh[k]);
        }
    }

}
