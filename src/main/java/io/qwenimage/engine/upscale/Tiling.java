package io.qwenimage.engine.upscale;

/**
 * How a picture is cut for the upscaler: square tiles of {@code tile} input pixels a side that overlap their
 * neighbours by {@code overlap} pixels; the overlaps are blended so no seam shows.
 *
 * @param tile    16 or more; a picture no larger runs as one tile
 * @param overlap 0 to tile / 2
 */
public record Tiling(int tile, int overlap) {

    public Tiling {
        if (tile < 16) {
            throw new IllegalArgumentException("an upscaler tile is at least 16 pixels, not " + tile);
        }
        if (overlap < 0 || overlap > tile / 2) {
            throw new IllegalArgumentException("a tile overlap is 0 to half the tile (" + tile / 2 + "), not "
                    + overlap);
        }
    }

    /** Where the tiles along a side of {@code length} pixels begin: every tile - overlap, the last flush. */
    int[] starts(int length) {
        if (length <= tile) {
            return new int[] {0};
        }
        int step = tile - overlap;
        int n = (length - tile + step - 1) / step + 1;
        int[] starts = new int[n];
        for (int i = 0; i < n; i++) {
            starts[i] = Math.min(i * step, length - tile);
        }
        return starts;
    }

    /** The tile's length from {@code start} along a side of {@code length}. */
    int span(int start, int length) {
        return Math.min(tile, length - start);
    }
}
