package io.qwenimage.engine;

import io.qwenimage.engine.scheduler.SchedulerKind;

/**
 * What text-to-image requests must share to run through the same UNet calls: size, step count, scheduler and
 * whether classifier-free guidance doubles the batch. Prompts, seeds, image counts and guidance scales may differ.
 *
 * @param guided guidance scale above 1 (classifier-free guidance on)
 */
public record BatchKey(int width, int height, int steps, SchedulerKind scheduler, boolean guided) {

    /** The key of {@code request}, or null when it cannot share a batch (image-to-image). */
    public static BatchKey of(GenerationRequest request) {
        if (request.initImage() != null) {
            return null;
        }
        return new BatchKey(request.width(), request.height(), request.steps(), request.scheduler(),
                request.guidanceScale() > 1);
    }
}
