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
