package io.qwenimage.engine.qwen;

/**
 * Qwen-Image's "true" classifier-free guidance: {@code comb = neg + scale · (cond - neg)}, then each token rescaled
 * to the conditional prediction's L2 norm ({@code comb · ‖cond‖ / ‖comb‖} over the token's last dimension). The
 * pipeline uses it only when {@code true_cfg_scale > 1} and a negative prompt is given; otherwise one pass.
 */
public final class TrueCfg {

    private TrueCfg() {
    }

    /**
     * Combines in place into {@code cond}.
     *
     * @param cond       the conditional prediction, {@code tokens x width}; overwritten with the result
     * @param negative   the negative prompt's prediction, same shape
     * @param width      values per token
     */
    public static void combine(float[] cond, float[] negative, double scale, int width) {
        combine(cond, negative, scale, width, 0, cond.length);
    }

    /**
     * As {@link #combine(float[], float[], double, int)} over the values {@code from} (inclusive) to {@code to}
     * only: the rows of one request in a batch, each request with its own scale.
     */
    public static void combine(float[] cond, float[] negative, double scale, int width, int from, int to) {
        if (cond.length != negative.length || from % width != 0 || to % width != 0 || from < 0 || to > cond.length
                || from > to) {
            throw new IllegalArgumentException("predictions of " + cond.length + " and " + negative.length
                    + " values do not split into tokens of " + width + " from " + from + " to " + to);
        }
        float[] comb = new float[width];
        for (int at = from; at < to; at += width) {
            double condNorm = 0;
            double combNorm = 0;
            for (int k = 0; k < width; k++) {
                float c = cond[at + k];
                float v = (float) (negative[at + k] + scale * (c - negative[at + k]));
                comb[k] = v;
                condNorm += (double) c * c;
                combNorm += (double) v * v;
            }
            double ratio = combNorm == 0 ? 0 : Math.sqrt(condNorm) / Math.sqrt(combNorm);
            for (int k = 0; k < width; k++) {
                cond[at + k] = (float) (comb[k] * ratio);
            }
        }
    }
}
