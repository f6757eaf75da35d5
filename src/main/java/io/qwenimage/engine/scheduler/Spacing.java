package io.qwenimage.engine.scheduler;

import java.util.Arrays;

/**
 * diffusers' timestep spacings (diffusion-facts §6.2), descending, computed with numpy's own arithmetic: numpy's
 * {@code linspace} multiplies the index by one float64 step ({@code i * (stop / (num - 1))}, not
 * {@code stop * i / (num - 1)}), and {@code arange} with a fractional step adds {@code i} times the difference of its
 * first two values. Both round half to even, so exact halves land where numpy puts them (DPM-Solver at N = 30 gives
 * 499 at index 15, not 500).
 */
final class Spacing {

    private Spacing() {
    }

    /** N timesteps; linspace values stay fractional unless {@code round}. */
    static double[] timesteps(TimestepSpacing spacing, int n, int trainSteps, int offset, boolean round) {
        double[] t = new double[n];
        switch (spacing) {
            case LINSPACE -> {
                double[] up = linspace(0, trainSteps - 1, n, true);
                for (int i = 0; i < n; i++) {
                    t[n - 1 - i] = round ? Math.rint(up[i]) : up[i];
                }
            }
            case LEADING -> {
                int ratio = trainSteps / n;
                for (int i = 0; i < n; i++) {
                    t[n - 1 - i] = (double) i * ratio + offset;
                }
            }
            case TRAILING -> {
                double[] down = trailingPoints(n, trainSteps);
                for (int i = 0; i < n; i++) {
                    t[i] = Math.rint(down[i]) - 1;
                }
            }
        }
        return t;
    }

    /** DPM-Solver's variant: N + 1 points, the last dropped (linspace and leading), trailing as usual. */
    static double[] dpmTimesteps(TimestepSpacing spacing, int n, int trainSteps, int offset) {
        return switch (spacing) {
            case LINSPACE -> {
                double[] up = linspace(0, trainSteps - 1, n + 1, true);
                double[] t = new double[n + 1];
                for (int i = 0; i <= n; i++) {
                    t[n - i] = Math.rint(up[i]);
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

    /**
     * {@code numpy.arange(T, 0, -T / N)}: N values, except at 62 step counts up to 1000 (61, 103, 121, 122, ...) where
     * float64 makes it N + 1 and diffusers then runs an extra step at timestep -1, outside the schedule. Those are
     * refused rather than run differently.
     *
     * @throws ScheduleRefusedException at such a step count
     */
    static double[] trailingPoints(int n, int trainSteps) {
        double[] down = arange(trainSteps, 0, -(double) trainSteps / n);
        if (down.length != n) {
            throw new ScheduleRefusedException("num_inference_steps", "trailing timestep spacing at " + n
                    + " steps gives " + down.length + " timesteps in diffusers (numpy's arange overshoots), the last "
                    + "one -1, outside the schedule; choose " + (n - 1) + " or " + (n + 1) + " steps");
        }
        return down;
    }

    /** {@code numpy.linspace(start, stop, num, endpoint)} in float64. */
    static double[] linspace(double start, double stop, int num, boolean endpoint) {
        double[] y = new double[num];
        int div = endpoint ? num - 1 : num;
        if (div <= 0) {
            if (num == 1) {
                y[0] = start;
            }
            return y;
        }
        double step = (stop - start) / div;
        for (int i = 0; i < num; i++) {
            y[i] = i * step + start;
        }
        if (endpoint) {
            y[num - 1] = stop;
        }
        return y;
    }

    /** {@code numpy.arange(start, stop, step)} in float64: {@code start + i * ((start + step) - start)}. */
    static double[] arange(double start, double stop, double step) {
        int count = (int) Math.max(0, Math.ceil((stop - start) / step));
        double delta = (start + step) - start;
        double[] y = new double[count];
        for (int i = 0; i < count; i++) {
            y[i] = start + i * delta;
        }
        return y;
    }
}
