package io.qwenimage.engine;

/**
 * An 8-bit RGB picture, rows top to bottom, pixels interleaved R, G, B.
 *
 * @param width  pixels
 * @param height pixels
 * @param rgb    width x height x 3 bytes
 */
public record RgbImage(int width, int height, byte[] rgb) {

    public RgbImage {
        if (width <= 0 || height <= 0 || rgb.length != width * height * 3) {
            throw new IllegalArgumentException("image " + width + "x" + height + " needs " + width * height * 3
                    + " bytes, got " + rgb.length);
        }
    }

    /** Channel {@code c} (0 R, 1 G, 2 B) of the pixel at (x, y), 0..255. */
    public int at(int x, int y, int c) {
        return rgb[(y * width + x) * 3 + c] & 0xFF;
    }
}
