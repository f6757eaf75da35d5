package io.qwenimage.engine.upscale;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.qwenimage.engine.CancellationToken;
import io.qwenimage.engine.RgbImage;

/**
 * One picture through an upscaler, tile row by tile row: each tile's output is weighted across the parts it shares
 * with its neighbours (its spoilt outer edge left out, then a ramp; 1 elsewhere and at the picture's borders),
 * summed, and divided by the weights, so the seams blend. Only one band of output rows (a tile's height) is held in floats; rows no later tile touches are
 * written out as bytes and their band rows reused.
 */
final class TiledUpscale {

    private final ImageUpscaler model;
    private final RgbImage image;
    private final Tiling tiling;
    private final int s;
    private final int outW;
    private final int outH;
    /** Band of output rows, ring-indexed by output row modulo {@link #bandRows}: weighted RGB sums and weights. */
    private final int bandRows;
    private final float[] sums;
    private final float[] weights;
    private final byte[] rgb;

    TiledUpscale(ImageUpscaler model, RgbImage image, Tiling tiling) {
        this.model = model;
        this.image = image;
        this.tiling = tiling;
        this.s = model.scale();
        this.outW = image.width() * s;
        this.outH = image.height() * s;
        this.bandRows = Math.min(image.height(), tiling.tile()) * s;
        this.sums = new float[3 * outW * bandRows];
        this.weights = new float[outW * bandRows];
        this.rgb = new byte[outW * outH * 3];
    }

    RgbImage run(OrtSession.RunOptions run, CancellationToken cancel) throws OrtException {
        int[] ys = tiling.starts(image.height());
        int[] xs = tiling.starts(image.width());
        int done = 0;                                   // output rows written out so far
        for (int r = 0; r < ys.length; r++) {
            int y0 = ys[r];
            int th = tiling.span(y0, image.height());
            for (int x0 : xs) {
                cancel.throwIfCancelled();
                int tw = tiling.span(x0, image.width());
                float[] out = model.run(tile(x0, y0, tw, th), th, tw, run);
                add(out, x0, y0, tw, th, x0 > 0, x0 + tw < image.width(), y0 > 0, y0 + th < image.height());
            }
            int finished = r + 1 < ys.length ? ys[r + 1] * s : outH;
            done = writeOut(done, finished);
        }
        return new RgbImage(outW, outH, rgb);
    }

    /** The tile's input pixels, planar RGB in [0, 1]. */
    private float[] tile(int x0, int y0, int tw, int th) {
        float[] pixels = new float[3 * tw * th];
        int plane = tw * th;
        for (int y = 0; y < th; y++) {
            for (int x = 0; x < tw; x++) {
                int p = y * tw + x;
                for (int c = 0; c < 3; c++) {
                    pixels[c * plane + p] = image.at(x0 + x, y0 + y, c) / 255f;
                }
            }
        }
        return pixels;
    }

    /** Adds one tile's output, ramped over the overlap on each side that has a neighbour. */
    private void add(float[] out, int x0, int y0, int tw, int th, boolean left, boolean right, boolean top,
                     boolean bottom) {
        int ow = tw * s;
        int oh = th * s;
        int ramp = Math.max(1, tiling.overlap() * s);
        int plane = ow * oh;
        float[] wx = ramps(ow, ramp, left, right);
        float[] wy = ramps(oh, ramp, top, bottom);
        for (int y = 0; y < oh; y++) {
            int row = (y0 * s + y) % bandRows;
            for (int x = 0; x < ow; x++) {
                float w = wx[x] * wy[y];
                int at = row * outW + x0 * s + x;
                weights[at] += w;
                for (int c = 0; c < 3; c++) {
                    sums[c * outW * bandRows + at] += w * out[c * plane + y * ow + x];
                }
            }
        }
    }

    /**
     * 1 everywhere but at each end that meets a neighbour, across the {@code overlap} pixels they share: 0 over
     * its outer quarter (where the tile's edge, missing the context beyond it, spoils the output), then a linear
     * rise over its middle half, which the neighbour's fall mirrors so the two weights sum to 1.
     */
    private static float[] ramps(int length, int overlap, boolean start, boolean end) {
        float[] w = new float[length];
        float skip = overlap / 4f;
        float rise = Math.max(1f, overlap / 2f);
        for (int i = 0; i < length; i++) {
            float v = 1f;
            if (start) {
                v = Math.min(v, Math.max(0f, (i + 0.5f - skip) / rise));
            }
            if (end) {
                v = Math.min(v, Math.max(0f, (length - i - 0.5f - skip) / rise));
            }
            w[i] = v;
        }
        return w;
    }

    /** Writes output rows [from, to) as bytes and clears their band rows for the tiles below; returns to. */
    private int writeOut(int from, int to) {
        int bandPlane = outW * bandRows;
        for (int y = from; y < to; y++) {
            int row = y % bandRows;
            for (int x = 0; x < outW; x++) {
                int at = row * outW + x;
                float w = weights[at];
                for (int c = 0; c < 3; c++) {
                    float v = w > 0 ? sums[c * bandPlane + at] / w : 0f;
                    rgb[(y * outW + x) * 3 + c] = (byte) Math.round(Math.max(0f, Math.min(1f, v)) * 255f);
                    sums[c * bandPlane + at] = 0f;
                }
                weights[at] = 0f;
            }
        }
        return to;
    }
}
