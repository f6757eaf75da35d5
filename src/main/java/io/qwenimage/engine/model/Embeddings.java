package io.qwenimage.engine.model;

/**
 * Text encoder hidden states, row-major [batch, tokens, width].
 *
 * @param data   the values
 * @param batch  prompts
 * @param tokens sequence length (77)
 * @param width  hidden size (768 for SD 1.x, 1024 for SD 2.x)
 */
public record Embeddings(float[] data, int batch, int tokens, int width) {

    /** This batch's and {@code other}'s hidden states side by side, token by token (SDXL's two encoders). */
    public Embeddings beside(Embeddings other) {
        if (other.batch != batch || other.tokens != tokens) {
            throw new IllegalArgumentException("cannot join " + batch + "x" + tokens + " and " + other.batch + "x"
                    + other.tokens + " embeddings");
        }
        int joined = width + other.width;
        float[] out = new float[batch * tokens * joined];
        for (int t = 0; t < batch * tokens; t++) {
            System.arraycopy(data, t * width, out, t * joined, width);
            System.arraycopy(other.data, t * other.width, out, t * joined + width, other.width);
        }
        return new Embeddings(out, batch, tokens, joined);
    }

    /** A batch made of the given rows of this one, in that order (a row may repeat). */
    public Embeddings pick(int[] rows) {
        int row = tokens * width;
        float[] out = new float[rows.length * row];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(data, rows[i] * row, out, i * row, row);
        }
        return new Embeddings(out, rows.length, tokens, width);
    }
}
