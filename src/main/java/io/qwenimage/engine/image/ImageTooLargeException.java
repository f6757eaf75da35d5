package io.qwenimage.engine.image;

/** A picture whose header declares more pixels than allowed; refused before its pixels are decoded. */
public class ImageTooLargeException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    private final int width;
    private final int height;
    private final long maxPixels;

    public ImageTooLargeException(int width, int height, long maxPixels) {
        super("image is " + width + "x" + height + " = " + (long) width * height + " pixels; at most " + maxPixels
                + " are accepted");
        this.width = width;
        this.height = height;
        this.maxPixels = maxPixels;
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    public long maxPixels() {
        return maxPixels;
    }
}
