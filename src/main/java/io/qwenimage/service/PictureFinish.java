package io.qwenimage.service;

/**
 * What happens to a generation's pictures before they are encoded, inside the same job (same queue place, deadline
 * and cancellation): nothing, an {@code upscale} by a factor (the native {@code upscale} option), or A1111's hires
 * fix ({@code enable_hr}: upscale, then image-to-image at the larger size).
 *
 * @param upscale 0 for none, else more than 1 and at most 8
 * @param hires   the hires fix, or null
 */
public record PictureFinish(double upscale, HiresFix hires) {

    public static final PictureFinish NONE = new PictureFinish(0, null);

    /**
     * A1111's hires fix: each picture enlarged to {@code width x height} (by the upscaler, or bicubic when
     * {@code byUpscaler} is false), then redrawn there by image-to-image.
     *
     * @param steps    the second pass's steps ({@code hr_second_pass_steps}, or the first pass's)
     * @param strength the second pass's {@code denoising_strength}
     */
    public record HiresFix(int width, int height, int steps, double strength, boolean byUpscaler) {
    }

    /** An upscale by {@code factor}. */
    public static PictureFinish upscaled(double factor) {
        return new PictureFinish(factor, null);
    }

    /** True when the pictures go out as generated. */
    public boolean none() {
        return upscale == 0 && hires == null;
    }
}
