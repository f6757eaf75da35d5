package io.qwenimage.engine.scheduler;

import java.util.Arrays;

/**
 * Latent Consistency Model multistep sampling (diffusers' {@code LCMScheduler}, original_inference_steps and
 * timestep_scaling from the model's file, 50 and 10 by default): each step predicts the clean sample with the
 * consistency boundary conditions and, except on the last step, re-noises it to the next timestep. Image-to-image
 * strength is used once, in the choice of timesteps; all N steps run.
 */
final class LcmScheduler extends TimestepScheduler {

    private static final double SIGMA_DATA = 0.5;

    private final double finalAlphaCumprod;
    private final double timestepScaling;
    private final boolean clip;
    private final double clipRange;
    private float[] fresh;

    LcmScheduler(SchedulerConfig config, int steps, double strength) {
        super(config, lcmTimesteps(config, steps, strength));
        this.finalAlphaCumprod = config.setAlphaToOneFor(SchedulerKind.LCM) ? 1.0 : schedule.alphaCumprod(0);
        this.timestepScaling = config.timestepScaling();
        this.clip = config.clipSampleFor(SchedulerKind.LCM);
        this.clipRange = config.clipSampleRange();
    }

    /**
     * The "origin" timesteps of LCM distillation that strength leaves, descending:
     * {@code (1 .. int(original_steps * strength)) * (T // original_steps) - 1}, reversed.
     *
     * @throws ScheduleRefusedException where diffusers' {@code set_timesteps} raises: more steps than
     *                                  original_inference_steps, or fewer origin timesteps than steps
     */
    static double[] origins(SchedulerConfig config, int steps, double strength) {
        int original = config.originalInferenceSteps();
        if (steps > original) {
            throw new ScheduleRefusedException("num_inference_steps", "num_inference_steps (" + steps + ") cannot "
                    + "be larger than the LCM model's original_inference_steps (" + original + "): the timesteps are "
                    + "a subset of the original schedule");
        }
        int k = config.numTrainTimesteps() / original;
        int count = (int) (original * strength);
        if (count / steps < 1) {
            throw new ScheduleRefusedException("strength", "original_inference_steps x strength (" + original
                    + " x " + strength + " = " + count + " timesteps) is smaller than num_inference_steps (" + steps
                    + "); use at most " + count + " steps or a strength of at least " + (double) steps / original);
        }
        double[] origin = new double[count];
        for (int i = 0; i < count; i++) {
            origin[count - 1 - i] = (double) (i + 1) * k - 1;
        }
        return origin;
    }

    /** N of the origin timesteps, evenly skipped: {@code floor(linspace(0, len, N, endpoint=False))}. */
    private static double[] lcmTimesteps(SchedulerConfig config, int steps, double strength) {
        double[] origin = origins(config, steps, strength);
        double[] index = Spacing.linspace(0, origin.length, steps, false);
        double[] t = new double[steps];
        for (int i = 0; i < steps; i++) {
            t[i] = origin[(int) Math.floor(index[i])];
        }
        return t;
    }

    @Override
    public void step(int i, float[] modelOutput, float[] sample, NoiseSource noise) {
        int t = (int) timesteps[i];
        boolean last = i == timesteps.length - 1;
        int prev = last ? t : (int) timesteps[i + 1];
        double alpha = schedule.alphaCumprod(t);
        double alphaPrev = prev >= 0 ? schedule.alphaCumprod(prev) : finalAlphaCumprod;
        double scaled = t * timestepScaling;
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
            if (clip) {
                x0 = Math.max(-clipRange, Math.min(clipRange, x0));
            }
            double denoised = cOut * x0 + cSkip * sample[k];
            sample[k] = (float) (last ? denoised : a * denoised + b * fresh[k]);
        }
    }

}
