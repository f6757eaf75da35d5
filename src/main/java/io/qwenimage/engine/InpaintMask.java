package io.qwenimage.engine;

/**
 * Where an image-to-image request repaints: one value per pixel of the mask picture, 255 = repaint, 0 = keep (the
 * convention of diffusers' inpainting pipelines and AUTOMATIC1111: white is painted over). Each API maps its own mask
 * to this (OpenAI: fully transparent pixels are the ones to edit). The engine resizes it to the request's size with
 * the picture.
 *
 * @param width  pixels
 * @param height pixels
 * @param values width x height bytes, rows top to bottom
 * @param blur   AUTOMATIC1111's {@code mask_blur}: the standard deviation in pixels (of the request's size) of the
 *               Gaussian that softens the edge where the generated picture is laid over the input; 0 for a hard edge
 * @param fill   what the masked part starts from (AUTOMATIC1111's {@code inpainting_fill})
 */
public record InpaintMask(int width, int height, byte[] values, int blur, Fill fill) {

    /** What the repainted part starts from before it is noised (AUTOMATIC1111's {@code inpainting_fill}). */
    public enum Fill {
        /** 0 "fill": the masked pixels painted with the mean colour of the kept ones before encoding. */
        FILL,
        /** 1 "original": the picture as it is (diffusers' inpainting). */
        ORIGINAL,
        /** 2 "latent noise": the masked latents replaced by the initial noise. */
        LATENT_NOISE,
        /** 3 "latent nothing": the masked latents set to zero. */
        LATENT_NOTHING
    }

    /** The largest mask_blur taken: beyond it the kernel costs more than the rest of the composite. */
    public static final int MAX_BLUR = 64;

    public InpaintMask {
        if (width <= 0 || height <= 0 || values.length != width * height) {
            throw new IllegalArgumentException("mask " + width + "x" + height + " needs " + width * height
                    + " values, got " + values.length);
        }
        if (blur < 0 || blur > MAX_BLUR) {
            throw new IllegalArgumentException("mask_blur must be 0 to " + MAX_BLUR + ", got " + blur);
        }
        if (fill == null) {
            throw new IllegalArgumentException("fill is required");
        }
    }

    /** A hard-edged mask over the picture as it is. */
    public static InpaintMask of(int width, int height, byte[] values) {
        return new InpaintMask(width, height, values, 0, Fill.ORIGINAL);
    }

    /** The mask of a picture by its luminance: light pixels (at least half grey) are repainted. */
    public static InpaintMask ofLuminance(RgbImage picture) {
        byte[] v = new byte[picture.width() * picture.height()];
        for (int p = 0; p < v.length; p++) {
            byte[] rgb = picture.rgb();
            double y = 0.299 * (rgb[p * 3] & 0xFF) + 0.587 * (rgb[p * 3 + 1] & 0xFF) + 0.114 * (rgb[p * 3 + 2] & 0xFF);
            v[p] = (byte) Math.round(y);
        }
        return of(picture.width(), picture.height(), v);
    }

    /** The same mask with repaint and keep swapped (AUTOMATIC1111's {@code inpainting_mask_invert}). */
    public InpaintMask inverted() {
        byte[] v = new byte[values.length];
        for (int i = 0; i < v.length; i++) {
            v[i] = (byte) (255 - (values[i] & 0xFF));
        }
        return new InpaintMask(width, height, v, blur, fill);
    }

    /** The same mask with a soft edge of {@code pixels}. */
    public InpaintMask withBlur(int pixels) {
        return new InpaintMask(width, height, values, pixels, fill);
    }

    /** The same mask with the masked part starting from {@code start}. */
    public InpaintMask withFill(Fill start) {
        return new InpaintMask(width, height, values, blur, start);
    }

    /**
     * {@code picture} (already at {@code w x h}) with the masked pixels painted in the mean colour of the kept ones
     * ({@link Fill#FILL}); the picture itself when nothing is kept.
     */
    public RgbImage filled(RgbImage picture) {
        int w = picture.width();
        int h = picture.height();
        float[] m = binary(w, h);
        long[] sum = new long[3];
        long kept = 0;
        byte[] rgb = picture.rgb();
        for (int p = 0; p < w * h; p++) {
            if (m[p] == 0f) {
                kept++;
                for (int c = 0; c < 3; c++) {
                    sum[c] += rgb[3 * p + c] & 0xFF;
                }
            }
        }
        if (kept == 0) {
            return picture;
        }
        byte[] out = rgb.clone();
        for (int p = 0; p < w * h; p++) {
            if (m[p] != 0f) {
                for (int c = 0; c < 3; c++) {
                    out[3 * p + c] = (byte) Math.round((double) sum[c] / kept);
                }
            }
        }
        return new RgbImage(w, h, out);
    }

    /** A rectangle of the picture: its top-left corner and size, in pixels. */
    public record Region(int x, int y, int width, int height) {
    }

    /**
     * AUTOMATIC1111's "only masked" region: the box around every pixel the mask touches, grown by {@code padding}
     * on each side, then widened or heightened to the aspect of {@code aspectW:aspectH} (the size it is inpainted
     * at), all within the picture.
     */
    public Region cropRegion(int padding, int aspectW, int aspectH) {
        int x1 = width;
        int y1 = height;
        int x2 = -1;
        int y2 = -1;
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                if (values[y * width + x] != 0) {
                    x1 = Math.min(x1, x);
                    y1 = Math.min(y1, y);
                    x2 = Math.max(x2, x);
                    y2 = Math.max(y2, y);
                }
            }
        }
        if (x2 < 0) {
            return new Region(0, 0, width, height);
        }
        x1 = Math.max(0, x1 - padding);
        y1 = Math.max(0, y1 - padding);
        x2 = Math.min(width, x2 + 1 + padding);
        y2 = Math.min(height, y2 + 1 + padding);
        // grow the short side (centred, pushed back inside the picture) until the box has the target's aspect
        double aspect = (double) aspectW / aspectH;
        int w = x2 - x1;
        int h = y2 - y1;
        if ((double) w / h < aspect) {
            int wanted = Math.min(width, (int) Math.round(h * aspect));
            x1 = Math.max(0, Math.min(width - wanted, x1 - (wanted - w) / 2));
            x2 = x1 + wanted;
        } else {
            int wanted = Math.min(height, (int) Math.round(w / aspect));
            y1 = Math.max(0, Math.min(height - wanted, y1 - (wanted - h) / 2));
            y2 = y1 + wanted;
        }
        return new Region(x1, y1, x2 - x1, y2 - y1);
    }

    /** The part of the mask in {@code region}, with the same blur and fill. */
    public InpaintMask cropped(Region region) {
        byte[] out = new byte[region.width() * region.height()];
        for (int y = 0; y < region.height(); y++) {
            System.arraycopy(values, (region.y() + y) * width + region.x(), out, y * region.width(), region.width());
        }
        return new InpaintMask(region.width(), region.height(), out, blur, fill);
    }

    /**
     * {@code inpainted} (the region's picture, at any size) put back into {@code picture} at {@code region}: resized
     * to it, and blended in by this mask's soft composite, so every pixel outside the mask stays as it was.
     */
    public RgbImage pasted(RgbImage picture, Region region, RgbImage inpainted) {
        RgbImage part = ImageTensors.resize(inpainted, region.width(), region.height());
        float[] m = composite(width, height);
        byte[] out = picture.rgb().clone();
        for (int y = 0; y < region.height(); y++) {
            for (int x = 0; x < region.width(); x++) {
                int p = (region.y() + y) * width + region.x() + x;
                float a = m[p];
                if (a == 0f) {
                    continue;
                }
                for (int c = 0; c < 3; c++) {
                    float v = a * part.at(x, y, c) + (1 - a) * (picture.rgb()[p * 3 + c] & 0xFF);
                    out[p * 3 + c] = (byte) Math.round(v);
                }
            }
        }
        return new RgbImage(width, height, out);
    }

    /** True when no pixel is to be repainted (at least half way). */
    public boolean repaintsNothing() {
        for (byte b : values) {
            if ((b & 0xFF) >= 128) {
                return false;
            }
        }
        return true;
    }

    /**
     * The mask at {@code w x h} (bicubic, as the picture is resized), binarised at one half as diffusers' mask
     * processor does: 1 = repaint.
     */
    public float[] binary(int w, int h) {
        byte[] resized = resized(w, h);
        float[] out = new float[w * h];
        for (int i = 0; i < out.length; i++) {
            out[i] = (resized[i] & 0xFF) >= 128 ? 1f : 0f;
        }
        return out;
    }

    /**
     * The latent mask of a {@code w x h} picture (w, h multiples of 8): the binary mask at the picture's size, then
     * nearest-neighbour down to {@code w/8 x h/8} (torch's {@code interpolate} default, as diffusers' inpainting
     * pipeline shrinks it): latent (x, y) takes pixel (8x, 8y).
     */
    public float[] latent(int w, int h) {
        float[] full = binary(w, h);
        int lw = w / 8;
        int lh = h / 8;
        float[] out = new float[lw * lh];
        for (int y = 0; y < lh; y++) {
            for (int x = 0; x < lw; x++) {
                out[y * lw + x] = full[(8 * y) * w + 8 * x];
            }
        }
        return out;
    }

    /**
     * The weights of the final composite at {@code w x h}: the binary mask softened by {@link #blur} (a separable
     * Gaussian, clamped at the borders), 1 = the generated pixel, 0 = the input's.
     */
    public float[] composite(int w, int h) {
        float[] m = binary(w, h);
        if (blur == 0) {
            return m;
        }
        int radius = 3 * blur;
        float[] kernel = new float[2 * radius + 1];
        double sum = 0;
        for (int k = -radius; k <= radius; k++) {
            double g = Math.exp(-(k * (double) k) / (2.0 * blur * blur));
            kernel[k + radius] = (float) g;
            sum += g;
        }
        for (int k = 0; k < kernel.length; k++) {
            kernel[k] /= (float) sum;
        }
        float[] rows = new float[m.length];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                float acc = 0;
                for (int k = -radius; k <= radius; k++) {
                    acc += kernel[k + radius] * m[y * w + Math.max(0, Math.min(w - 1, x + k))];
                }
                rows[y * w + x] = acc;
            }
        }
        float[] out = new float[m.length];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                float acc = 0;
                for (int k = -radius; k <= radius; k++) {
                    acc += kernel[k + radius] * rows[Math.max(0, Math.min(h - 1, y + k)) * w + x];
                }
                out[y * w + x] = acc;
            }
        }
        return out;
    }

    /**
     * Inpainting's final composite, in place on decoded pixels (planar [3][h][w] in [-1, 1]): the generated pixels
     * where the mask says repaint, {@code input} (resized as it was for encoding) elsewhere, blended over the soft
     * edge; so the kept part comes back as it was sent, not as the VAE would redraw it.
     */
    public void overlay(float[] pixels, RgbImage input, int w, int h) {
        float[] original = ImageTensors.toPixels(ImageTensors.resize(input, w, h));
        float[] weight = composite(w, h);
        int area = w * h;
        for (int c = 0; c < 3; c++) {
            for (int p = 0; p < area; p++) {
                float generated = Math.max(-1f, Math.min(1f, pixels[c * area + p]));
                float m = weight[p];
                pixels[c * area + p] = m * generated + (1 - m) * original[c * area + p];
            }
        }
    }

    private byte[] resized(int w, int h) {
        if (w == width && h == height) {
            return values;
        }
        byte[] rgb = new byte[values.length * 3];
        for (int i = 0; i < values.length; i++) {
            rgb[3 * i] = values[i];
            rgb[3 * i + 1] = values[i];
            rgb[3 * i + 2] = values[i];
        }
        RgbImage small = ImageTensors.resize(new RgbImage(width, height, rgb), w, h);
        byte[] out = new byte[w * h];
        for (int i = 0; i < out.length; i++) {
            out[i] = small.rgb()[3 * i];
        }
        return out;
    }
}
