package io.qwenimage.engine.model;

import io.qwenimage.engine.scheduler.SchedulerConfig;
import io.qwenimage.engine.scheduler.SchedulerKind;
import java.util.List;

/**
 * What a loaded model is, for /info and logs.
 *
 * @param id                folder name (or "demo")
 * @param family            "sd1.x", "sd2.x", or "custom" with its text width
 * @param dtype             "float32" or "float16" (the UNet's latent input)
 * @param predictionType    epsilon or v_prediction
 * @param nativeSize        the side it was trained at (pixels)
 * @param scalingFactor     the VAE latent scaling factor in use
 * @param imageToImage      true when a VAE encoder is present
 * @param guidanceEmbedding true for LCM-distilled UNets (timestep_cond input)
 * @param scheduler         its scheduler_config.json (which schedulers can run it, and with which limits)
 */
public record ModelInfo(String id, String family, String dtype, String predictionType, int nativeSize,
                        double scalingFactor, boolean imageToImage, boolean guidanceEmbedding,
                        SchedulerConfig scheduler) {

    /** The schedulers this model can be run with (the others are refused with the reason). */
    public List<SchedulerKind> schedulers() {
        return SchedulerKind.availableFor(scheduler);
    }
}
