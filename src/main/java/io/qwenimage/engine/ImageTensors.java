package io.qwenimage.engine;

import java.awt.RenderingHints;
import java.awt.image.BufferedImage;

/** Conversions between pictures and the VAE's planar [3, H, W] float tensors in [-1, 1]. */
public final class ImageTensors {

    private ImageTensors() {
    }

    /** RGB bytes to planar floats, {@code 2 x / 255 - 1}. */
    public static float[] toPixels(RgbImage image) {
        int plane = image.width() * image.height();
        float[] out = new float[3 * plane];
        byte[] rgb = image.rgb();
        for (int p = 0; p < plane; p++) {
            for (int c = 0; c < 3; c++) {
                out[c * plane + p] = (rgb[p * 3 + c] & 0xFF) / 127.5f - 1f;
            }
        }
        return out;
    }

    /**
     * Planar floats of a {@code fullWidth x fullHeight} decode to RGB bytes (diffusers: clip(x / 2 + 0.5, 0, 1),
     * x 255, round), centre-cropped to {@code width x height}.
     */
    public static RgbImage toImage(float[] pixels, int fullWidth, int fullHeight, int width, int height) {
        int plane = fullWidth * fullHeight;
        int left = (fullWidth - width) / 2;
        int top = (fullHeight - height) / 2;
        byte[] rgb = new byte[width * height * 3];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int src = (y + top) * fullWidth + (x + left);
                for (int c = 0; c < 3; c++) {
                    float v = pixels[c * plane + src] / 2f + 0.5f;
                    v = Math.max(0f, Math.min(1f, v));
                    rgb[(y * width + x) * 3 + c] = (byte) Math.round(v * 255f);
                }
            }
        }
        return new RgbImage(width, height, rgb);
    }

    /** Bicubic resize (identity when the size already matches). */
    public static RgbImage resize(RgbImage image, int width, int height) {
        if (image.width() == width && image.height() == height) {
            return image;
        }
        BufferedImage target = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        var g = target.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BICUBIC);
            g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
            g.drawImage(toBufferedImage(image), 0, 0, width, height, null);
        } finally {
            g.dispose();
        }
        return fromBufferedImage(target);
    }

    /** An RGB picture as a Java 2D image (TYPE_INT_RGB). */
    public static BufferedImage toBufferedImage(RgbImage image) {
        BufferedImage out = new BufferedImage(image.width(), image.height(), BufferedImage.TYPE_INT_RGB);
        int[] row = new int[image.width()];
        byte[] rgb = image.rgb();
        for (int y = 0; y < image.height(); y++) {
            for (int x = 0; x < image.width(); x++) {
                int i = (y * image.width() + x) * 3;
                row[x] = ((rgb[i] & 0xFF) << 16) | ((rgb[i + 1] & 0xFF) << 8) | (rgb[i + 2] & 0xFF);
            }
            out.setRGB(0, y, image.width(), 1, row, 0, image.width());
        }
        return out;
    }

    /** Any Java 2D image as RGB bytes; alpha is dropped (callers flatten transparent images first). */
    public static RgbImage fromBufferedImage(BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        byte[] rgb = new byte[w * h * 3];
        int[] row = new int[w];
        for (int y = 0; y < h; y++) {
            image.getRGB(0, y, w, 1, row, 0, w);
            for (int x = 0; x < w; x++) {
                int i = (y * w + x) * 3;
                rgb[i] = (byte) (row[x] >> 16);
                rgb[i + 1] = (byte) (row[x] >> 8);
                rgb[i + 2] = (byte) row[x];
            }
        }
        return new RgbImage(w, h, rgb);
    }
}
