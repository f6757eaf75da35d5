package io.qwenimage.engine.scheduler;

/**
 * The training noise schedule: betas, cumulative alpha products and the Karras-style sigmas
 * {@code sqrt((1 - alphaBar) / alphaBar)}, computed as diffusers does (betas in float32, products in float32).
 */
public final class NoiseSchedule {

    private final double[] alphasCumprod;
    private final double[] sigmas;

    NoiseSchedule(SchedulerConfig config) {
        int n = config.numTrainTimesteps();
        float[] betas = new float[n];
        if (config.trainedBetas() != null) {
            for (int i = 0; i < n; i++) {
                betas[i] = (float) config.trainedBetas()[i];
            }
        } else {
            switch (config.betaSchedule()) {
                case "scaled_linear" -> {
                    double a = Math.sqrt(config.betaStart());
                    double b = Math.sqrt(config.betaEnd());
                    for (int i = 0; i < n; i++) {
                        float root = (float) (a + (b - a) * i / (n - 1));
                        betas[i] = root * root;
                    }
                }
                case "linear" -> {
                    for (int i = 0; i < n; i++) {
                        betas[i] = (float) (config.betaStart() + (config.betaEnd() - config.betaStart()) * i / (n - 1));
                    }
                }
                default -> throw new IllegalArgumentException("unsupported beta_schedule '" + config.betaSchedule() + "'");
            }
        }
        alphasCumprod = new double[n];
        sigmas = new double[n];
        float product = 1f;
        for (int i = 0; i < n; i++) {
            product *= 1f - betas[i];
            alphasCumprod[i] = product;
            sigmas[i] = Math.sqrt((1 - alphasCumprod[i]) / alphasCumprod[i]);
        }
    }

    public int size() {
        return alphasCumprod.length;
    }

    /** alphaBar at an integer training timestep. */
    public double alphaCumprod(int t) {
        return alphasCumprod[t];
    }

    /** sigma at a possibly fractional timestep, linearly interpolated as numpy.interp does. */
    public double sigmaAt(double t) {
        if (t <= 0) {
            return sigmas[0];
        }
        if (t >= sigmas.length - 1) {
            return sigmas[sigmas.length - 1];
        }
        int lo = (int) Math.floor(t);
        double w = t - lo;
        return sigmas[lo] * (1 - w) + sigmas[lo + 1] * w;
    }

    /** The inverse of {@link #sigmaAt}, interpolating linearly in log sigma (diffusers' {@code _sigma_to_t}). */
    public double timestepOfSigma(double sigma) {
        double logSigma = Math.log(sigma);
        if (logSigma >= Math.log(sigmas[sigmas.length - 1])) {
            return sigmas.length - 1;
        }
        if (logSigma <= Math.log(sigmas[0])) {
            return 0;
        }
        int lo = 0;
        while (lo < sigmas.length - 2 && Math.log(sigmas[lo + 1]) < logSigma) {
            lo++;
        }
        double low = Math.log(sigmas[lo]);
        double high = Math.log(sigmas[lo + 1]);
        double w = (low - logSigma) / (low - high);
        return lo + Math.max(0, Math.min(1, w));
    }

    public double sigmaMin() {
        return sigmas[0];
    }

    public double sigmaMax() {
        return sigmas[sigmas.length - 1];
    }
}
