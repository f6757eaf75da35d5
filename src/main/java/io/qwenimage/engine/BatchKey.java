package io.qwenimage.engine;

import io.qwenimage.engine.model.ModelFamily;
import io.qwenimage.engine.scheduler.SchedulerKind;

/**
 * What text-to-image requests must share to run through the same model calls: the model's family, size, step
 * count, scheduler and whether guidance doubles the calls. Prompts, seeds, image counts and guidance scales may
 * differ.
 *
 * @param guided     a second (negative) pass: guidance scale above 1, or for FLUX true_cfg_scale above 1 (its
 *                   guidance_scale is a per-row input of the distilled model)
 * @param textLength the request's max_sequence_length (0: the family's default): T5's text length is fixed by it
 */
public record BatchKey(ModelFamily family, int width, int height, int steps, SchedulerKind scheduler,
                       boolean guided, int textLength) {

    /** The key of {@code request} on a model of {@code family}, or null when it cannot share a batch (image-to-image). */
    public static BatchKey of(ModelFamily family, GenerationRequest request) {
        if (request.initImage() != null) {
            return null;
        }
        boolean guided = family == ModelFamily.FLUX ? request.trueCfgScale() > 1 : request.guidanceScale() > 1;
        return new BatchKey(family, request.width(), request.height(), request.steps(), request.scheduler(), guided,
                request.maxSequenceLength());
    }
}
