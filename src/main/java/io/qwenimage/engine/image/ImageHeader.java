package io.qwenimage.engine.image;

/**
 * What a picture's header declares, read without decoding a pixel.
 *
 * @param format its format, from its leading bytes
 * @param width  pixels, as stored (before any EXIF rotation)
 * @param height pixels, as stored
 */
public record ImageHeader(ImageFormat format, int width, int height) {

    /**
     * Heap bytes one pixel costs at the peak of decoding: the decoder's raster (up to 4), a flattened copy of a
     * transparent picture (4) and the RGB result (3). An estimate on the safe side, for {@link DecodeBudget}.
     */
    public static final int DECODING_BYTES_PER_PIXEL = 11;

    public long pixels() {
        return (long) width * height;
    }

    /** The memory decoding this picture may take at its peak. */
    public long decodingBytes() {
        return pixels() * DECODING_BYTES_PER_PIXEL;
    }
}
