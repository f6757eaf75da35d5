package io.qwenimage.observability;

/**
 * The {@code size} tag: the longer side of a request's pictures in a few classes, so that latency can be read
 * per size without one series per width and height.
 */
public final class SizeClass {

    private static final int[] BOUNDS = {256, 512, 768, 1024};

    private SizeClass() {
    }

    /** {@code le256}, {@code le512}, {@code le768}, {@code le1024} or {@code gt1024}. */
    public static String of(int width, int height) {
        int side = Math.max(width, height);
        for (int bound : BOUNDS) {
            if (side <= bound) {
                return "le" + bound;
            }
        }
        return "gt1024";
    }
}
