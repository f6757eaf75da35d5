package io.qwenimage.engine.model;

/**
 * What a UNet is conditioned on for one denoising loop, one row per batch row; written into the graph's inputs once.
 *
 * @param context       text embeddings ({@code encoder_hidden_states})
 * @param timestepCond  LCM's guidance embedding [rows, dim], or null
 * @param textEmbeds    SDXL's pooled text embeddings [rows, textEmbedsWidth], or null
 * @param textEmbedsWidth their width (1280 for SDXL)
 * @param timeIds       SDXL's size conditioning [rows, 6]: original height, width, crop top, left, target height,
 *                      width; or null
 * @param inpainting    an inpainting UNet's extra input channels [rows, 5, h, w]: the latent mask, then the masked
 *                      picture's latents; or null
 */
public record UnetConditioning(Embeddings context, float[] timestepCond, float[] textEmbeds, int textEmbedsWidth,
                               float[] timeIds, float[] inpainting) {

    /** Without an inpainting UNet's extra channels. */
    public UnetConditioning(Embeddings context, float[] timestepCond, float[] textEmbeds, int textEmbedsWidth,
                            float[] timeIds) {
        this(context, timestepCond, textEmbeds, textEmbedsWidth, timeIds, null);
    }

    /** The same conditioning with an inpainting UNet's extra channels. */
    public UnetConditioning withInpainting(float[] channels) {
        return new UnetConditioning(context, timestepCond, textEmbeds, textEmbedsWidth, timeIds, channels);
    }

    /** SD 1.x/2.x: text embeddings, and LCM's guidance embedding or null. */
    public static UnetConditioning of(Embeddings context, float[] timestepCond) {
        return new UnetConditioning(context, timestepCond, null, 0, null);
    }
}
