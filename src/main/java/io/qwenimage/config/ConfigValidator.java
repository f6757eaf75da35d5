package io.qwenimage.config;

import io.qwenimage.engine.image.ImageHeader;
import io.qwenimage.engine.onnx.ExecutionProvider;
import io.qwenimage.engine.scheduler.SchedulerKind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Checks the {@code qwen.*} values that their types cannot; each problem names its key. */
public final class ConfigValidator {

    private ConfigValidator() {
    }

    /** @throws IllegalStateException listing every invalid key, one per line */
    public static void validate(QwenConfig c) {
        List<String> problems = new ArrayList<>();
        try {
            ExecutionProvider.parse(c.model().device());
        } catch (IllegalArgumentException e) {
            problems.add("qwen.model.device: " + e.getMessage());
        }
        c.model().path().filter(p -> !p.isBlank()).ifPresent(p -> {
            if (!Files.isDirectory(Path.of(p))) {
                problems.add("qwen.model.path: '" + p + "' is not a directory");
            }
        });
        positive(problems, "qwen.model.device-id", c.model().deviceId() + 1);
        positive(problems, "qwen.queue.workers", c.queue().workers());
        if (c.queue().capacity() < 0) {
            problems.add("qwen.queue.capacity: must not be negative");
        }
        positive(problems, "qwen.queue.timeout", c.queue().timeout().toMillis());
        positive(problems, "qwen.queue.max-batch", c.queue().maxBatch());
        if (!List.of("memory", "redis").contains(c.jobs().store())) {
            problems.add("qwen.jobs.store: must be memory or redis, got '" + c.jobs().store() + "'");
        }
        positive(problems, "qwen.jobs.events-max-subscribers-per-job", c.jobs().eventsMaxSubscribersPerJob());
        positive(problems, "qwen.jobs.events-max-subscribers-per-caller", c.jobs().eventsMaxSubscribersPerCaller());
        positive(problems, "qwen.jobs.events-max-unread-bytes", c.jobs().eventsMaxUnreadBytes());
        positive(problems, "qwen.jobs.preview-every-steps", c.jobs().previewEverySteps());
        if (c.upscaler().tile() < 16 || c.upscaler().tileOverlap() < 0
                || c.upscaler().tileOverlap() > c.upscaler().tile() / 2) {
            problems.add("qwen.upscaler.tile/tile-overlap: a tile is at least 16 pixels and overlaps by 0 to half of it");
        }
        positive(problems, "qwen.upscaler.max-output-pixels", c.upscaler().maxOutputPixels());
        positive(problems, "qwen.jobs.events-drain-timeout", c.jobs().eventsDrainTimeout().toMillis());
        positive(problems, "qwen.jobs.max-result-bytes-per-owner", c.jobs().maxResultBytesPerOwner());
        positive(problems, "qwen.jobs.redis.timeout", c.jobs().redis().timeout().toMillis());
        positive(problems, "qwen.jobs.redis.breaker-failures", c.jobs().redis().breakerFailures());
        positive(problems, "qwen.jobs.redis.breaker-cool-down", c.jobs().redis().breakerCoolDown().toMillis());
        if (c.queue().maxBatchDelay().isNegative() || c.queue().maxBatchDelay().toMillis() > 1000) {
            problems.add("qwen.queue.max-batch-delay: must be between 0 and 1s (it is added to a request's wait)");
        }
        positive(problems, "qwen.queue.stall-threshold", c.queue().stallThreshold().toMillis());
        positive(problems, "qwen.server.request-timeout", c.server().requestTimeout().toMillis());
        positive(problems, "qwen.server.max-file-size", c.server().maxFileSize());
        var cert = c.server().tlsCert().filter(v -> !v.isBlank());
        var key = c.server().tlsKey().filter(v -> !v.isBlank());
        if (cert.isPresent() != key.isPresent()) {
            problems.add("qwen.server.tls-cert and qwen.server.tls-key: give both or neither");
        }
        cert.filter(f -> !Files.isReadable(Path.of(f)))
                .ifPresent(f -> problems.add("qwen.server.tls-cert: '" + f + "' cannot be read"));
        key.filter(f -> !Files.isReadable(Path.of(f)))
                .ifPresent(f -> problems.add("qwen.server.tls-key: '" + f + "' cannot be read"));
        QwenConfig.Limits l = c.limits();
        positive(problems, "qwen.limits.min-size", l.minSize());
        if (l.maxWidth() < l.minSize() || l.maxHeight() < l.minSize()) {
            problems.add("qwen.limits.max-width/max-height: must be at least qwen.limits.min-size");
        }
        positive(problems, "qwen.limits.max-pixels", l.maxPixels());
        positive(problems, "qwen.limits.max-steps", l.maxSteps());
        positive(problems, "qwen.limits.max-num-images", l.maxNumImages());
        positive(problems, "qwen.limits.max-prompt-length", l.maxPromptLength());
        positive(problems, "qwen.limits.max-input-pixels", l.maxInputPixels());
        if (l.maxDecodingBytes() < l.maxInputPixels() * ImageHeader.DECODING_BYTES_PER_PIXEL) {
            problems.add("qwen.limits.max-decoding-bytes: must hold one picture of qwen.limits.max-input-pixels ("
                    + l.maxInputPixels() * ImageHeader.DECODING_BYTES_PER_PIXEL
                    + " bytes at " + ImageHeader.DECODING_BYTES_PER_PIXEL
                    + " bytes a pixel)");
        }
        QwenConfig.Generation g = c.generation();
        if (g.steps() < 1 || g.steps() > l.maxSteps()) {
            problems.add("qwen.generation.num-inference-steps: must be between 1 and qwen.limits.max-steps");
        }
        if (!(g.guidanceScale() >= 0 && g.guidanceScale() <= 30)) {
            problems.add("qwen.generation.guidance-scale: must be between 0 and 30");
        }
        try {
            SchedulerKind.fromApiName(g.scheduler());
        } catch (IllegalArgumentException e) {
            problems.add("qwen.generation.scheduler: " + e.getMessage());
        }
        if (!(g.strength() > 0 && g.strength() <= 1)) {
            problems.add("qwen.generation.strength: must be in (0, 1]");
        }
        if (!List.of("png", "jpeg", "jpg").contains(g.outputFormat().toLowerCase(java.util.Locale.ROOT))) {
            problems.add("qwen.generation.output-format: must be png or jpeg");
        }
        if (!(g.jpegQuality() > 0 && g.jpegQuality() <= 1)) {
            problems.add("qwen.generation.jpeg-quality: must be in (0, 1]");
        }
        if (!problems.isEmpty()) {
            throw new IllegalStateException("invalid configuration:\n  " + String.join("\n  ", problems));
        }
    }

    private static void positive(List<String> problems, String key, long value) {
        if (value <= 0) {
            problems.add(key + ": must be positive");
        }
    }
}
