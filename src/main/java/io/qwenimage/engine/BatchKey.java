package io.qwenimage.engine;

import io.qwenimage.engine.model.ModelFamily;
import io.qwenimage.engine.scheduler.SchedulerKind;

/**
 * What text-to-image requests must share to run through the same model calls: the model's family, size, step
 * count, scheduler and whether guidance doubles the calls. Prompts, seeds, image counts and guidance scales may
 * differ.
 *
 * @param guided guidance scale above 1 (classifier-free guidance on)
 */
public record BatchKey(ModelFamily family, int width, int height, int steps, SchedulerKind scheduler,
                       boolean guided) {

    /** The key of {@code request} on a model of {@code family}, or null when it cannot share a batch (image-to-image). */
    public static BatchKey of(ModelFamily family, GenerationRequest request) {
        if (request.initImage() != null) {
            return null;
        }
        return new BatchKey(family, request.width(), request.height(), request.steps(), request.scheduler(),
                request.guidanceScale() > 1);
    }
}
