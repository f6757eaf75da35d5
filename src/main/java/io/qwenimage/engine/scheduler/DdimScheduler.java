package io.qwenimage.engine.scheduler;

import java.util.Arrays;

/**
 * DDIM with eta = 0 (deterministic), diffusers' {@code DDIMScheduler}, clipping the predicted clean sample when the
 * model's file asks for clip_sample (the noise direction keeps the unclipped prediction, as diffusers does).
 */
final class DdimScheduler extends TimestepScheduler {

    private final int stride;
    private final double finalAlphaCumprod;
    private final boolean clip;
    private final double clipRange;

    DdimScheduler(SchedulerConfig config, int steps, int start) {
        super(config, Arrays.copyOfRange(Spacing.timesteps(config.spacingFor(SchedulerKind.DDIM), steps,
                config.numTrainTimesteps(), config.resolvedStepsOffset(), true), start, steps));
        this.stride = config.numTrainTimesteps() / steps;
        this.finalAlphaCumprod = config.setAlphaToOneFor(SchedulerKind.DDIM) ? 1.0 : schedule.alphaCumprod(0);
        this.clip = config.clipSampleFor(SchedulerKind.DDIM);
        this.clipRange = config.clipSampleRange();
    }

    @Override
    public void step(int i, float[] modelOutput, float[] sample, NoiseSource noise) {
        int t = (int) timesteps[i];
        int prev = t - stride;
        double alpha = schedule.alphaCumprod(t);
        double alphaPrev = prev >= 0 ? schedule.alphaCumprod(prev) : finalAlphaCumprod;
        double a = Math.sqrt(alphaPrev);
        double b = Math.sqrt(1 - alphaPrev);
        for (int k = 0; k < sample.length; k++) {
            float x0 = Prediction.x0(prediction, modelOutput[k], sample[k], alpha);
            float eps = Prediction.epsilon(prediction, modelOutput[k], sample[k], x0, alpha);
            if (clip) {
                x0 = (float) Math.max(-clipRange, Math.min(clipRange, x0));
            }
            sample[k] = (float) (a * x0 + b * eps);
        }
    }

}
