package io.qwenimage.api;

import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.multipart.FileUpload;

/**
 * The multipart form of {@code POST /image-to-image} and {@code POST /jobs}: the seed's fields ({@code image},
 * {@code prompt}, {@code strength}, {@code width}, {@code height}, {@code num_inference_steps}) and ours. Every value
 * but the picture arrives as text and is checked by {@link UploadedValues}, so that a wrong one is a 422 naming its
 * field rather than a bare 400 from the form reader.
 */
public class ImageToImageForm {

    @RestForm("image")
    public FileUpload image;

    /** Inpainting: where to repaint (white), the rest kept (black); resized with the picture. */
    @RestForm("mask")
    public FileUpload mask;

    /** Inpainting: the mask's soft edge in pixels (0: a hard edge). */
    @RestForm("mask_blur")
    public String maskBlur;

    /** The pictures upscaled by this factor (more than 1, at most 8) by the service's upscaler, in the same job. */
    @RestForm
    public String upscale;

    @RestForm
    public String prompt;

    @RestForm("negative_prompt")
    public String negativePrompt;

    @RestForm
    public String strength;

    @RestForm
    public String width;

    @RestForm
    public String height;

    @RestForm("num_inference_steps")
    public String steps;

    @RestForm("guidance_scale")
    public String guidance;

    @RestForm("true_cfg_scale")
    public String trueCfg;

    @RestForm
    public String seed;

    @RestForm("num_images")
    public String numImages;

    @RestForm
    public String scheduler;

    @RestForm("output_format")
    public String outputFormat;

    /** The model's id; absent: the default model. */
    @RestForm
    public String model;
}
