package io.qwenimage.engine.qwen;

/**
 * The rotary position tables of Qwen-Image's transformer, as diffusers' {@code QwenEmbedRope} computes them, split
 * into real and imaginary parts: one row of {@code head_dim / 2} angles per token. An image token at (frame,
 * row, column) takes the frame axis' frequencies at its frame, the height axis' at its row and the width axis' at its
 * column; with {@code scale_rope} rows and columns are centred ({@code -(h - h/2) … h/2 - 1}). Text tokens take the
 * same position on all three axes, counting from the image's largest half-side ({@code max(h/2, w/2)}, or
 * {@code max(h, w)} without scale_rope). Angles are float32 as in torch: {@code index · 1 / theta^(2j / dim)}.
 *
 * @param theta     rotary base (10000)
 * @param axesDims  the three axes' dimensions (frame, height, width), each even, summing to the head dimension
 * @param scaleRope centre the image positions
 */
public record QwenRotaryTables(double theta, int[] axesDims, boolean scaleRope) {

    /** Cosines and sines, {@code [tokens][headDim / 2]} flattened row by row. */
    public record Table(int tokens, int width, float[] cos, float[] sin) {
    }

    public QwenRotaryTables {
        if (axesDims.length != 3) {
            throw new IllegalArgumentException("axes_dims_rope must have 3 entries, got " + axesDims.length);
        }
        for (int d : axesDims) {
            if (d <= 0 || d % 2 != 0) {
                throw new IllegalArgumentException("axes_dims_rope entries must be positive and even, got " + d);
            }
        }
        axesDims = axesDims.clone();
    }

    /** head_dim / 2: complex pairs per token. */
    public int pairs() {
        return (axesDims[0] + axesDims[1] + axesDims[2]) / 2;
    }

    /**
     * The image tokens' table for one frame of {@code height x width} packed tokens (H/16 x W/16), row-major.
     */
    public Table image(int height, int width) {
        int n = height * width;
        float[] cos = new float[n * pairs()];
        float[] sin = new float[n * pairs()];
        for (int r = 0; r < height; r++) {
            for (int c = 0; c < width; c++) {
                int row = (r * width + c) * pairs();
                int at = fill(cos, sin, row, 0, 0);
                at = fill(cos, sin, row + at, 1, scaleRope ? centred(r, height) : r) + at;
                fill(cos, sin, row + at, 2, scaleRope ? centred(c, width) : c);
            }
        }
        return new Table(n, pairs(), cos, sin);
    }

    /** The text tokens' table for {@code tokens} tokens after an image of {@code height x width} packed tokens. */
    public Table text(int tokens, int height, int width) {
        int first = scaleRope ? Math.max(height / 2, width / 2) : Math.max(height, width);
        float[] cos = new float[tokens * pairs()];
        float[] sin = new float[tokens * pairs()];
        for (int t = 0; t < tokens; t++) {
            int row = t * pairs();
            int at = 0;
            for (int axis = 0; axis < 3; axis++) {
                at += fill(cos, sin, row + at, axis, first + t);
            }
        }
        return new Table(tokens, pairs(), cos, sin);
    }

    /** Position of index {@code i} of {@code n} when centred: the negative half first. */
    private static int centred(int i, int n) {
        int negatives = n - n / 2;
        return i - negatives;
    }

    /** Writes axis {@code axis}'s angles at {@code position} from {@code offset}; returns how many. */
    private int fill(float[] cos, float[] sin, int offset, int axis, int position) {
        int dim = axesDims[axis];
        for (int j = 0; j < dim / 2; j++) {
            float power = (float) Math.pow(theta, (float) (2 * j) / dim);
            float inverse = 1f / power;
            float angle = position * inverse;
            cos[offset + j] = (float) Math.cos(angle);
            sin[offset + j] = (float) Math.sin(angle);
        }
        return dim / 2;
    }
}
