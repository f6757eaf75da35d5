package io.qwenimage.engine.qwen;

/**
 * Qwen-Image's 2x2 latent packing: {@code (C, h, w)} latents become {@code (h/2 · w/2)} tokens of {@code 4C} values,
 * as diffusers' {@code _pack_latents} does it ({@code view(C, h/2, 2, w/2, 2).permute(1, 3, 0, 2, 4)}): token
 * {@code (i, j)} holds, channel by channel, the 2x2 block at rows {@code 2i, 2i+1} and columns {@code 2j, 2j+1}.
 * {@link #unpack} is the inverse. One picture at a time (the batch dimension is the caller's).
 */
public final class LatentPacking {

    private LatentPacking() {
    }

    /** Packs {@code latents} laid out {@code [channels][h][w]}; h and w even. */
    public static float[] pack(float[] latents, int channels, int h, int w) {
        return permute(latents, channels, h, w, true);
    }

    /** The inverse of {@link #pack}: tokens back to {@code [channels][h][w]}. */
    public static float[] unpack(float[] tokens, int channels, int h, int w) {
        return permute(tokens, channels, h, w, false);
    }

    /** One walk over the index pairs (packed position, planar position), copied one way or the other. */
    private static float[] permute(float[] from, int channels, int h, int w, boolean pack) {
        check(from, channels, h, w);
        float[] out = new float[from.length];
        int tokenWidth = 4 * channels;
        for (int i = 0; i < h / 2; i++) {
            for (int j = 0; j < w / 2; j++) {
                int token = (i * (w / 2) + j) * tokenWidth;
                for (int c = 0; c < channels; c++) {
                    for (int dy = 0; dy < 2; dy++) {
                        for (int dx = 0; dx < 2; dx++) {
                            int packed = token + c * 4 + dy * 2 + dx;
                            int planar = (c * h + 2 * i + dy) * w + 2 * j + dx;
                            if (pack) {
                                out[packed] = from[planar];
                            } else {
                                out[planar] = from[packed];
                            }
                        }
                    }
                }
            }
        }
        return out;
    }

    private static void check(float[] values, int channels, int h, int w) {
        if (h % 2 != 0 || w % 2 != 0) {
            throw new IllegalArgumentException("latent height and width must be even, got " + h + "x" + w);
        }
        if (values.length != channels * h * w) {
            throw new IllegalArgumentException("expected " + channels * h * w + " values, got " + values.length);
        }
    }
}
