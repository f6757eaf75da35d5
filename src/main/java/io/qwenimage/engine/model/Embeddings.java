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

    /** Rows {@code from} (inclusive) to {@code to} (exclusive) of the batch. */
    public Embeddings slice(int from, int to) {
        int row = tokens * width;
        float[] out = new float[(to - from) * row];
        System.arraycopy(data, from * row, out, 0, out.length);
        return new Embeddings(out, to - from, tokens, width);
    }

    /** This batch followed by another of the same shape. */
    public Embeddings concat(Embeddings other) {
        float[] out = new float[data.length + other.data.length];
        System.arraycopy(data, 0, out, 0, data.length);
        System.arraycopy(other.data, 0, out, data.length, other.data.length);
        return new Embeddings(out, batch + other.batch, tokens, width);
    }
}
