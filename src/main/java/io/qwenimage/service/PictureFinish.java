package io.qwenimage.service;

/**
 * What happens to a generation's pictures before they are encoded, inside the same job (same queue place, deadline
 * and cancellation): nothing, an {@code upscale} by a factor (the native {@code upscale} option), A1111's hires
 * fix ({@code enable_hr}: upscale, then image-to-image at the larger size), or A1111's "only masked" inpainting
 * ({@code inpaint_full_res}: the inpainted crop pasted back into the whole picture).
 *
 * @param upscale 0 for none, else more than 1 and at most 8
 * @param hires   the hires fix, or null
 * @param paste   where the inpainted crop goes back, or null
 */
public record PictureFinish(double upscale, HiresFix hires, PasteBack paste) {

    public static final PictureFinish NONE = new PictureFinish(0, null, null);

    /** Without a paste-back. */
    public PictureFinish(double upscale, HiresFix hires) {
        this(upscale, hires, null);
    }

    /**
     * "Only masked" inpainting: the generation inpainted {@code region} of {@code picture} (cropped and resized to
     * the request's size); its result goes back there, blended by {@code mask} (the whole picture's).
     */
    public record PasteBack(io.qwenimage.engine.RgbImage picture, io.qwenimage.engine.InpaintMask mask,
                            io.qwenimage.engine.InpaintMask.Region region) {
    }

    /** The inpainted crop pasted back into the whole picture. */
    public static PictureFinish pastedBack(PasteBack paste) {
        return new PictureFinish(0, null, paste);
    }

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
        return upscale == 0 && hires == null && paste == null;
    }
}
