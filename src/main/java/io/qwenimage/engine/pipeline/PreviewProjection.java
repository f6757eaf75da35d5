package io.qwenimage.engine.pipeline;

import io.qwenimage.engine.RgbImage;

/**
 * A fixed linear map from one latent pixel (its channels and a bias) to one RGB pixel: the cheap preview of a
 * latent picture, one multiply-add per channel and colour, at the latents' own resolution. It is fitted by least
 * squares to what the model's own VAE decoder makes of sample latents ({@link #fit}), so it fits every family and
 * every VAE, including ones trained here, without a table per model.
 */
final class PreviewProjection {

    private final int channels;
    /** {@code weights[c * (channels + 1) + k]}: colour c from latent channel k, the bias last. */
    private final float[] weights;

    private PreviewProjection(int channels, float[] weights) {
        this.channels = channels;
        this.weights = weights;
    }

    /**
     * Fits the projection to {@code n} latent pictures and their decoded pictures.
     *
     * @param latents {@code n x channels x h x w}, in the denoising loop's scale
     * @param pixels  {@code n x 3 x 8h x 8w} in [-1, 1], as the VAE decoder returns them
     */
    static PreviewProjection fit(int channels, int n, int h, int w, float[] latents, float[] pixels) {
        int terms = channels + 1;
        double[][] normal = new double[terms][terms];
        double[][] right = new double[terms][3];
        double[] x = new double[terms];
        int area = h * w;
        int fullW = 8 * w;
        int fullPlane = 64 * area;
        for (int i = 0; i < n; i++) {
            for (int p = 0; p < area; p++) {
                for (int k = 0; k < channels; k++) {
                    x[k] = latents[(i * channels + k) * area + p];
                }
                x[channels] = 1;
                double[] colour = pooled(pixels, i * 3 * fullPlane, fullPlane, fullW, p / w, p % w);
                for (int a = 0; a < terms; a++) {
                    for (int b = 0; b < terms; b++) {
                        normal[a][b] += x[a] * x[b];
                    }
                    for (int c = 0; c < 3; c++) {
                        right[a][c] += x[a] * colour[c];
                    }
                }
            }
        }
        for (int a = 0; a < channels; a++) {
            normal[a][a] += 1e-3 * n * area;      // a little ridge: a channel the decoder ignores gets weight 0
        }
        double[][] solved = solve(normal, right);
        float[] weights = new float[3 * terms];
        for (int c = 0; c < 3; c++) {
            for (int k = 0; k < terms; k++) {
                weights[c * terms + k] = (float) solved[k][c];
            }
        }
        return new PreviewProjection(channels, weights);
    }

    /** The mean colour (0..255) of the 8x8 block of latent pixel (row, col). */
    private static double[] pooled(float[] pixels, int offset, int fullPlane, int fullW, int row, int col) {
        double[] colour = new double[3];
        for (int c = 0; c < 3; c++) {
            double sum = 0;
            for (int dy = 0; dy < 8; dy++) {
                int base = offset + c * fullPlane + (row * 8 + dy) * fullW + col * 8;
                for (int dx = 0; dx < 8; dx++) {
                    sum += Math.max(-1f, Math.min(1f, pixels[base + dx]));
                }
            }
            colour[c] = (sum / 64 + 1) * 127.5;
        }
        return colour;
    }

    /** Gauss-Jordan elimination with partial pivoting of {@code a x = b} (a is small and symmetric positive). */
    private static double[][] solve(double[][] a, double[][] b) {
        int n = a.length;
        for (int col = 0; col < n; col++) {
            int pivot = col;
            for (int r = col + 1; r < n; r++) {
                if (Math.abs(a[r][col]) > Math.abs(a[pivot][col])) {
                    pivot = r;
                }
            }
            double[] t = a[col]; a[col] = a[pivot]; a[pivot] = t;
            t = b[col]; b[col] = b[pivot]; b[pivot] = t;
            double d = a[col][col];
            if (d == 0) {
                continue;                         // a constant the bias already explains
            }
            for (int r = 0; r < n; r++) {
                if (r == col || a[r][col] == 0) {
                    continue;
                }
                double f = a[r][col] / d;
                for (int k = col; k < n; k++) {
                    a[r][k] -= f * a[col][k];
                }
                for (int k = 0; k < b[r].length; k++) {
                    b[r][k] -= f * b[col][k];
                }
            }
        }
        double[][] x = new double[n][];
        for (int r = 0; r < n; r++) {
            x[r] = b[r].clone();
            for (int k = 0; k < x[r].length; k++) {
                x[r][k] = a[r][r] == 0 ? 0 : x[r][k] / a[r][r];
            }
        }
        return x;
    }

    /** The preview of one latent picture, {@code channels x h x w} from {@code offset}: an h x w RGB picture. */
    RgbImage project(float[] planar, int offset, int h, int w) {
        int area = h * w;
        int terms = channels + 1;
        byte[] rgb = new byte[area * 3];
        for (int p = 0; p < area; p++) {
            for (int c = 0; c < 3; c++) {
                int row = c * terms;
                float v = weights[row + channels];
                for (int k = 0; k < channels; k++) {
                    v += weights[row + k] * planar[offset + k * area + p];
                }
                rgb[p * 3 + c] = (byte) Math.round(Math.max(0f, Math.min(255f, v)));
            }
        }
        return new RgbImage(w, h, rgb);
    }
}
