package io.qwenimage.engine;

import io.qwenimage.engine.scheduler.SchedulerKind;

/**
 * What to generate, already validated by the caller against the service's limits.
 *
 * @param prompt         text prompt
 * @param negativePrompt what to steer away from ("" for none)
 * @param width          output width in pixels (generated at the next multiple of 8, then centre-cropped)
 * @param height         output height in pixels
 * @param steps          num_inference_steps
 * @param guidanceScale  classifier-free guidance; at most 1 turns CFG off
 * @param scheduler      sampling algorithm
 * @param seed           seed of the first image, in [0, 2^32); image i uses {@link #seedOf(int) seed + i}, wrapped
 *                       into the same range
 * @param numImages      images to generate in one batch
 * @param initImage      image-to-image input (resized to width x height), or null for text-to-image
 * @param strength       image-to-image: how much of the schedule to run, in (0, 1]; ignored for text-to-image
 * @param maxSequenceLength Qwen-Image: prompt tokens the text encoder keeps after the template (1 to 1024), or 0
 *                       for the family's default (512); SD3 and FLUX: T5's max_sequence_length (1 to 512; 0: 256
 *                       for SD3, 512 for FLUX); the SD families read a fixed length and need 0
 * @param trueCfgScale   FLUX: true classifier-free guidance (a second pass with the negative prompt) when above 1;
 *                       its {@code guidanceScale} is the distilled guidance the transformer takes. 1 elsewhere
 * @param mask           inpainting: where {@code initImage} is repainted (the rest comes back as it was), or null
 */
public record GenerationRequest(String prompt, String negativePrompt, int width, int height, int steps,
                                double guidanceScale, SchedulerKind scheduler, long seed, int numImages,
                                RgbImage initImage, double strength, int maxSequenceLength, double trueCfgScale,
                                InpaintMask mask) {

    /** The largest seed: seeds are 32-bit unsigned, as in AUTOMATIC1111. */
    public static final long MAX_SEED = 0xFFFF_FFFFL;

    public GenerationRequest {
        if (prompt == null) {
            throw new IllegalArgumentException("prompt is required");
        }
        negativePrompt = negativePrompt == null ? "" : negativePrompt;
        if (width < 8 || height < 8) {
            throw new IllegalArgumentException("width and height must be at least 8, got " + width + "x" + height);
        }
        if (steps < 1) {
            throw new IllegalArgumentException("num_inference_steps must be at least 1");
        }
        if (seed < 0 || seed > MAX_SEED) {
            throw new IllegalArgumentException("seed must be between 0 and " + MAX_SEED + ", got " + seed);
        }
        if (numImages < 1) {
            throw new IllegalArgumentException("num_images must be at least 1");
        }
        if (!Double.isFinite(guidanceScale) || guidanceScale < 0) {
            throw new IllegalArgumentException("guidance_scale must be a non-negative number");
        }
        if (initImage != null && !(strength > 0 && strength <= 1)) {
            throw new IllegalArgumentException("strength must be in (0, 1]");
        }
        if (maxSequenceLength < 0 || maxSequenceLength > 1024) {
            throw new IllegalArgumentException("max_sequence_length must be 1 to 1024 (0: the default), got "
                    + maxSequenceLength);
        }
        if (!Double.isFinite(trueCfgScale) || trueCfgScale < 0) {
            throw new IllegalArgumentException("true_cfg_scale must be a non-negative number");
        }
        if (mask != null && initImage == null) {
            throw new IllegalArgumentException("a mask needs the picture it applies to");
        }
    }

    /** A request with every field but the inpainting mask. */
    public GenerationRequest(String prompt, String negativePrompt, int width, int height, int steps,
                             double guidanceScale, SchedulerKind scheduler, long seed, int numImages,
                             RgbImage initImage, double strength, int maxSequenceLength, double trueCfgScale) {
        this(prompt, negativePrompt, width, height, steps, guidanceScale, scheduler, seed, numImages, initImage,
                strength, maxSequenceLength, trueCfgScale, null);
    }

    /** A request with every field but true_cfg_scale (1: off). */
    public GenerationRequest(String prompt, String negativePrompt, int width, int height, int steps,
                             double guidanceScale, SchedulerKind scheduler, long seed, int numImages,
                             RgbImage initImage, double strength, int maxSequenceLength) {
        this(prompt, negativePrompt, width, height, steps, guidanceScale, scheduler, seed, numImages, initImage,
                strength, maxSequenceLength, 1.0);
    }

    /** A request with every field but max_sequence_length, which takes the family's default. */
    public GenerationRequest(String prompt, String negativePrompt, int width, int height, int steps,
                             double guidanceScale, SchedulerKind scheduler, long seed, int numImages,
                             RgbImage initImage, double strength) {
        this(prompt, negativePrompt, width, height, steps, guidanceScale, scheduler, seed, numImages, initImage,
                strength, 0);
    }

    /** A text-to-image request. */
    public static GenerationRequest textToImage(String prompt, String negativePrompt, int width, int height, int steps,
                                                double guidanceScale, SchedulerKind scheduler, long seed,
                                                int numImages) {
        return new GenerationRequest(prompt, negativePrompt, width, height, steps, guidanceScale, scheduler, seed,
                numImages, null, 1.0);
    }

    /** The same request with FLUX's true CFG scale. */
    public GenerationRequest withTrueCfgScale(double scale) {
        return new GenerationRequest(prompt, negativePrompt, width, height, steps, guidanceScale, scheduler, seed,
                numImages, initImage, strength, maxSequenceLength, scale, mask);
    }

    /** The same request with T5's (or Qwen-Image's) max_sequence_length. */
    public GenerationRequest withMaxSequenceLength(int length) {
        return new GenerationRequest(prompt, negativePrompt, width, height, steps, guidanceScale, scheduler, seed,
                numImages, initImage, strength, length, trueCfgScale, mask);
    }

    /** The same image-to-image request, repainting only where {@code inpaint} says. */
    public GenerationRequest withMask(InpaintMask inpaint) {
        return new GenerationRequest(prompt, negativePrompt, width, height, steps, guidanceScale, scheduler, seed,
                numImages, initImage, strength, maxSequenceLength, trueCfgScale, inpaint);
    }

    /** The seed of image {@code i}: seed + i, modulo 2^32, so a batch near the top of the range stays in it. */
    public long seedOf(int i) {
        return (seed + i) & MAX_SEED;
    }
}
