package io.qwenimage.service;

import io.qwenimage.engine.GenerationRequest;

/**
 * One generation as a resource asks {@link Generations} for it: the engine request its wire format mapped to, and
 * how the pictures are to come back. The caller is the request's own (its API key), never a field.
 *
 * @param request        what to generate
 * @param format         {@code png} or {@code jpeg}
 * @param place          the queue place taken before the request was ready ({@link PictureIntake}), or null to take
 *                       one now
 * @param input          the uploaded picture of an image-to-image request, or null
 * @param idempotencyKey an asynchronous job's {@code Idempotency-Key}, or null
 */
public record GenerationCommand(GenerationRequest request, String format, QueuePlace place, InputPicture input,
                                String idempotencyKey) {

    /** A text-to-image generation into a place taken now. */
    public static GenerationCommand of(GenerationRequest request, String format) {
        return new GenerationCommand(request, format, null, null, null);
    }

    /** An image-to-image generation into {@code place}, taken before {@code input} was decoded. */
    public static GenerationCommand of(GenerationRequest request, String format, QueuePlace place,
                                       InputPicture input) {
        return new GenerationCommand(request, format, place, input, null);
    }

    /** The same generation as a job under {@code key} (null: none). */
    public GenerationCommand withIdempotencyKey(String key) {
        return new GenerationCommand(request, format, place, input, key);
    }
}
