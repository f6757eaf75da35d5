package io.qwenimage.service;

import io.qwenimage.engine.GenerationRequest;

/**
 * One generation as a resource asks {@link Generations} for it: the model it chose, the engine request its wire
 * format mapped to, and how the pictures are to come back. The caller is the request's own (its API key), never a
 * field.
 *
 * @param model          the model's id, as {@link Generations#model(String)} resolved it
 * @param request        what to generate
 * @param format         {@code png} or {@code jpeg}
 * @param place          the queue place taken before the request was ready ({@link PictureIntake}), or null to take
 *                       one now
 * @param input          the uploaded picture of an image-to-image request, or null
 * @param idempotencyKey an asynchronous job's {@code Idempotency-Key}, or null
 * @param finish         what happens to the pictures before they are encoded (upscale, hires fix)
 */
public record GenerationCommand(String model, GenerationRequest request, String format, QueuePlace place,
                                InputPicture input, String idempotencyKey, PictureFinish finish) {

    /** A text-to-image generation into a place taken now. */
    public static GenerationCommand of(String model, GenerationRequest request, String format) {
        return new GenerationCommand(model, request, format, null, null, null, PictureFinish.NONE);
    }

    /** An image-to-image generation into {@code place} (or null: one taken now), {@code input} its upload. */
    public static GenerationCommand of(String model, GenerationRequest request, String format, QueuePlace place,
                                       InputPicture input) {
        return new GenerationCommand(model, request, format, place, input, null, PictureFinish.NONE);
    }

    /** The same generation as a job under {@code key} (null: none). */
    public GenerationCommand withIdempotencyKey(String key) {
        return new GenerationCommand(model, request, format, place, input, key, finish);
    }

    /** The same generation with its pictures {@code finish}ed. */
    public GenerationCommand withFinish(PictureFinish finish) {
        return new GenerationCommand(model, request, format, place, input, idempotencyKey, finish);
    }
}
