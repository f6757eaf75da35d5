package io.qwenimage.api;

/**
 * The generation fields every wire format has, each under its own names (native {@code num_inference_steps},
 * OpenAI's {@code n} and {@code size}, A1111's {@code steps}, {@code cfg_scale}, {@code batch_size x n_iter}): a
 * resource reads its body into these, and {@link RequestMapper} checks them and fills the defaults. Null: absent.
 *
 * @param prompt         what to draw
 * @param negativePrompt what to steer away from
 * @param width          pixels, or null for the model's native size (image-to-image: the picture's)
 * @param height         pixels, as width
 * @param steps          denoising steps
 * @param guidance       the guidance fields as sent
 * @param seed           the first picture's seed; null or negative: drawn at random
 * @param numImages      pictures to generate
 * @param scheduler      the scheduler's API name
 */
public record RequestFields(String prompt, String negativePrompt, Integer width, Integer height, Integer steps,
                            Guidance guidance, Long seed, Integer numImages, String scheduler) {
}
