package io.qwenimage.store;

import io.qwenimage.engine.GenerationRequest;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Finished pictures of requests with an explicit seed, so that an identical request is answered without running
 * the engine ({@code qwen.cache.enabled}). Keys cover every parameter that changes a pixel: model, prompt, negative
 * prompt, size, steps, guidance, scheduler, seed, image count, strength and the input picture, and the format.
 * A cache that cannot be reached is a miss, never an error.
 */
public interface ResultCache {

    Optional<CachedAnswer> get(String key);

    void put(String key, CachedAnswer answer);

    /** The key of {@code request} rendered by {@code model} in {@code format}. */
    static String key(GenerationRequest request, String model, String format) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            String text = String.join("\u0000", model, format, request.prompt(), request.negativePrompt(),
                    Integer.toString(request.width()), Integer.toString(request.height()),
                    Integer.toString(request.steps()), Double.toString(request.guidanceScale()),
                    request.scheduler().apiName(), Long.toString(request.seed()), Integer.toString(request.numImages()),
                    request.initImage() == null ? "" : Double.toString(request.strength()));
            digest.update(text.getBytes(StandardCharsets.UTF_8));
            if (request.maxSequenceLength() > 0) {
                // only when set, so the keys of requests without it stay what they were
                digest.update(("\u0000msl" + request.maxSequenceLength()).getBytes(StandardCharsets.UTF_8));
            }
            if (request.trueCfgScale() != 1.0) {
                digest.update(("\u0000tcfg" + request.trueCfgScale()).getBytes(StandardCharsets.UTF_8));
            }
            if (request.initImage() != null) {
                digest.update(new byte[] {0});
                digest.update(Integer.toString(request.initImage().width()).getBytes(StandardCharsets.UTF_8));
                digest.update(new byte[] {'x'});
                digest.update(Integer.toString(request.initImage().height()).getBytes(StandardCharsets.UTF_8));
                digest.update(request.initImage().rgb());
            }
            if (request.mask() != null) {
                digest.update(("\u0000mask" + request.mask().width() + "x" + request.mask().height() + "/"
                        + request.mask().blur()).getBytes(StandardCharsets.UTF_8));
                digest.update(request.mask().values());
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
