package io.qwenimage.api;

/**
 * The guidance fields a request sent, before the model's family decides what they mean: Stable Diffusion reads
 * {@code guidance_scale}; Qwen-Image reads {@code true_cfg_scale} (its true classifier-free guidance), and takes
 * {@code guidance_scale} (or A1111's {@code cfg_scale}) as it when {@code true_cfg_scale} is absent, so that clients
 * written for SD models still steer it.
 *
 * @param guidanceScale {@code guidance_scale} / {@code cfg_scale}, or null
 * @param trueCfgScale  {@code true_cfg_scale}, or null
 */
public record Guidance(Double guidanceScale, Double trueCfgScale) {

    /** A route whose wire format has only one guidance field. */
    public static Guidance of(Double guidanceScale) {
        return new Guidance(guidanceScale, null);
    }
}
