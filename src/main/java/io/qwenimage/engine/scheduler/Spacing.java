package io.qwenimage.engine.scheduler;

import java.util.Arrays;

/** diffusers' timestep spacings (diffusion-facts §6.2), descending. numpy rounds half to even, so do we. */
final class Spacing {

    private Spacing() {
    }

    /** N timesteps; linspace values stay fractional unless {@code round}. */
    static double[] timesteps(TimestepSpacing spacing, int n, int trainSteps, int offset, boolean round) {
        double[] t = new double[n];
        switch (spacing) {
            case LINSPACE -> {
                for (int i = 0; i < n; i++) {
                    double v = n == 1 ? 0 : (trainSteps - 1) * (double) i / (n - 1);
                    t[n - 1 - i] = round ? Math.rint(v) : v;
                }
            }
            case LEADING -> {
                int ratio = trainSteps / n;
                for (int i = 0; i < n; i++) {
                    t[n - 1 - i] = (double) i * ratio + offset;
                }
            }
            case TRAILING -> {
                double ratio = (double) trainSteps / n;
                for (int i = 0; i < n; i++) {
                    t[i] = Math.rint(trainSteps - i * ratio) - 1;
                }
            }
        }
        return t;
    }

    /** DPM-Solver's variant: N + 1 points, the last dropped (linspace and leading), trailing as usual. */
    static double[] dpmTimesteps(TimestepSpacing spacing, int n, int trainSteps, int offset) {
        return switch (spacing) {
            case LINSPACE -> {
                double[] t = new double[n + 1];
                for (int i = 0; i <= n; i++) {
                    t[n - i] = Math.rint((trainSteps - 1) * (double) i / n);
                }
                yield Arrays.copyOf(t, n);
            }
            case LEADING -> {
                int ratio = trainSteps / (n + 1);
                double[] t = new double[n + 1];
                for (int i = 0; i <= n; i++) {
                    t[n - i] = (double) i * ratio + offset;
                }
                yield Arrays.copyOf(t, n);
            }
            case TRAILING -> timesteps(spacing, n, trainSteps, offset, true);
        };
    }
}
