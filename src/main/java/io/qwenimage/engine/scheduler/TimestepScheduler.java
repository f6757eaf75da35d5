package io.qwenimage.engine.scheduler;

/**
 * What the schedulers share: a fixed list of timesteps, and by default the variance-preserving parametrisation
 * (initial noise sigma 1 and unscaled UNet input, the interface's defaults; image-to-image noising
 * {@code sqrt(ab) x0 + sqrt(1 - ab) eps}).
 */
abstract class TimestepScheduler implements Scheduler {

    protected final NoiseSchedule schedule;
    protected final PredictionType prediction;
    protected final double[] timesteps;

    TimestepScheduler(SchedulerConfig config, double[] timesteps) {
        this.schedule = config.noiseSchedule();
        this.prediction = config.prediction();
        this.timesteps = timesteps;
    }

    @Override
    public int steps() {
        return timesteps.length;
    }

    @Override
    public double timestep(int i) {
        return timesteps[i];
    }

    /** The cumulative alpha of evaluation {@code i}'s noise level. */
    double alphaBarAt(int i) {
        return schedule.alphaCumprod((int) Math.rint(timesteps[i]));
    }

    @Override
    public void denoised(int i, float[] modelOutput, float[] sample, float[] into) {
        double alphaBar = alphaBarAt(i);
        for (int k = 0; k < sample.length; k++) {
            into[k] = Prediction.x0(prediction, modelOutput[k], sample[k], alphaBar);
        }
    }

    @Override
    public void addNoise(int i, float[] latents, float[] noise) {
        double alpha = alphaBarAt(i);
        double a = Math.sqrt(alpha);
        double b = Math.sqrt(1 - alpha);
        for (int k = 0; k < latents.length; k++) {
            latents[k] = (float) (a * latents[k] + b * noise[k]);
        }
    }
}
