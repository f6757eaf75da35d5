package io.qwenimage.engine.scheduler;

/**
 * The engine's documented noise: SplitMix64 (Steele, Lea and Flood 2014) seeded with the request's seed, turned
 * into N(0, 1) samples with the Box-Muller transform (both outputs used, in order), in float64 then rounded to
 * float32. Written out here rather than taken from {@code java.util.Random}/{@code SplittableRandom} so that the
 * same seed gives the same latents on every JVM, forever; see README "Reproducibility".
 */
public final class GaussianNoise implements NoiseSource {

    private long state;
    private double spare;
    private boolean hasSpare;

    public GaussianNoise(long seed) {
        this.state = seed;
    }

    @Override
    public void fill(float[] out) {
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) next();
        }
    }

    /** The next N(0, 1) sample. */
    public double next() {
        if (hasSpare) {
            hasSpare = false;
            return spare;
        }
        double u1 = uniformOpen();
        double u2 = uniformOpen();
        double r = Math.sqrt(-2.0 * Math.log(u1));
        double theta = 2.0 * Math.PI * u2;
        spare = r * Math.sin(theta);
        hasSpare = true;
        return r * Math.cos(theta);
    }

    /** Uniform in (0, 1], 53 random bits. */
    private double uniformOpen() {
        return ((nextLong() >>> 11) + 1) * 0x1.0p-53;
    }

    private long nextLong() {
        long z = (state += 0x9E3779B97F4A7C15L);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
