package io.qwenimage.engine.model;

import io.qwenimage.engine.scheduler.SchedulerConfig;
import io.qwenimage.engine.scheduler.SchedulerKind;
import java.util.List;

/**
 * What a loaded model is, for /info and logs.
 *
 * @param id                folder name (or "demo")
 * @param pipeline          the pipeline family that runs it
 * @param family            "sd1.x", "sd2.x", "custom" with its text width, "sdxl", "sd3", "flux.1-dev",
 *                          "flux.1-schnell" or "qwen-image"
 * @param dtype             "float32" or "float16" (the UNet's latent input)
 * @param predictionType    epsilon, v_prediction, or flow (the velocity of flow matching)
 * @param nativeSize        the side it was trained at (pixels)
 * @param scalingFactor     the VAE latent scaling factor in use (1 for Qwen-Image, whose VAE normalises per channel;
 *                          SD3 and FLUX also shift by their shift_factor)
 * @param imageToImage      true when a VAE encoder is present
 * @param guidanceEmbedding true for guidance-distilled models: LCM UNets (timestep_cond input), FLUX.1-dev (guidance
 *                          input)
 * @param scheduler         its scheduler_config.json (which schedulers can run it, and with which limits)
 */
public record ModelInfo(String id, ModelFamily pipeline, String family, String dtype, String predictionType,
                        int nativeSize, double scalingFactor, boolean imageToImage, boolean guidanceEmbedding,
                        SchedulerConfig scheduler) {

    /**
     * The scheduler a request that names none gets: the configured one, unless this is a flow-matching model it
     * cannot run (then flow_match_euler, the only one such a model runs).
     */
    public SchedulerKind defaultScheduler(SchedulerKind configured) {
        return scheduler.flow() != null && scheduler.unavailable(configured) != null ? SchedulerKind.FLOW_MATCH_EULER
                : configured;
    }

    /** The same model under the id a configuration gave it (a folder's name is only the default id). */
    public ModelInfo withId(String newId) {
        return new ModelInfo(newId, pipeline, family, dtype, predictionType, nativeSize, scalingFactor, imageToImage,
                guidanceEmbedding, scheduler);
    }

    /** The schedulers this model can be run with (the others are refused with the reason). */
    public List<SchedulerKind> schedulers() {
        return SchedulerKind.availableFor(scheduler);
    }
}
