package io.qwenimage.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.qwenimage.engine.RgbImage;
import io.qwenimage.engine.image.ImageCodec;
import io.qwenimage.errors.ErrorCatalogue;
import io.qwenimage.errors.Problem;
import io.qwenimage.http.ErrorEnvelope;
import io.qwenimage.observability.GenerationObserver;
import io.qwenimage.observability.GenerationRecord;
import io.qwenimage.observability.Outcome;
import io.qwenimage.service.GeneratedPictures;
import io.qwenimage.service.GenerationCommand;
import io.qwenimage.service.Generations;
import io.qwenimage.service.PreviewPicture;
import io.qwenimage.service.PreviewPictures;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.smallrye.mutiny.operators.multi.processors.UnicastProcessor;
import io.smallrye.mutiny.subscription.Cancellable;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * One streamed OpenAI image generation or edit ({@code stream: true}): Server-Sent Events
 * {@code image_generation.partial_image} (or {@code image_edit.partial_image}) with each of the
 * {@code partial_images} live previews as the job makes them, enlarged to the picture's size, then one
 * {@code ….completed} event per picture; a failure after the stream began is an {@code error} event. The job is the
 * same queued job as a plain request (limits, deadline, metrics); the client leaving cancels it. Previews are encoded
 * on a worker pool thread, one event after another, never on the generating thread.
 */
final class OpenAiImageStream {

    private final ObjectMapper json;
    private final String kind;
    private final String format;
    private final int width;
    private final int height;
    private final UnicastProcessor<byte[]> events = UnicastProcessor.create();
    /** The events in order: each is encoded after the one before it. */
    private CompletableFuture<Void> tail = CompletableFuture.completedFuture(null);
    private volatile Cancellable generation;
    private volatile java.util.function.ObjIntConsumer<Outcome> finish = (o, s) -> { };

    /** @param kind {@code image_generation} or {@code image_edit} */
    private OpenAiImageStream(ObjectMapper json, String kind, String format, int width, int height) {
        this.json = json;
        this.kind = kind;
        this.format = format;
        this.width = width;
        this.height = height;
    }

    /** Starts the generation of {@code command} with {@code partials} (0 to 3) previews; its events. */
    static Multi<byte[]> start(ObjectMapper json, Generations generations, GenerationObserver observer,
                               GenerationCommand command, int partials, String kind) {
        OpenAiImageStream stream = new OpenAiImageStream(json, kind, command.format(), command.request().width(),
                command.request().height());
        GenerationRecord record = observer.current();
        record.streamed();                    // ended here when the stream ends, not when its first bytes go
        stream.finish = (outcome, status) -> observer.end(record, outcome, status);
        var pictures = partials == 0 ? generations.generate(command)
                : generations.generate(command, partials, stream::partial);
        stream.generation = pictures.subscribe().with(stream::completed, stream::failed);
        return stream.events.onCancellation().invoke(() -> {
            Cancellable running = stream.generation;
            if (running != null) {
                running.cancel();             // the client left: the job is cancelled as for a plain request
            }
            stream.finish.accept(Outcome.CANCELLED, 499);
        });
    }

    private synchronized void then(Runnable next) {
        tail = tail.thenRunAsync(next, Infrastructure.getDefaultWorkerPool());
    }

    /** On the worker: only queued here, encoded on the pool. */
    private void partial(PreviewPicture preview) {
        then(() -> {
            RgbImage picture = PreviewPictures.atSize(preview, width, height);
            byte[] encoded = format.equals("jpeg") ? ImageCodec.encodeJpeg(picture, 0.9f)
                    : ImageCodec.encodePng(picture, Map.of());
            Map<String, Object> data = event("partial_image", encoded);
            data.put("partial_image_index", preview.index());
            events.onNext(sse(kind + ".partial_image", data));
        });
    }

    private void completed(GeneratedPictures pictures) {
        then(() -> {
            for (byte[] picture : pictures.pictures()) {
                Map<String, Object> data = event("completed", picture);
                data.put("usage", Map.of("input_tokens", 0, "output_tokens", 0, "total_tokens", 0,
                        "input_tokens_details", Map.of("image_tokens", 0, "text_tokens", 0)));
                events.onNext(sse(kind + ".completed", data));
            }
            finish.accept(Outcome.SUCCESS, 200);
            events.onComplete();
        });
    }

    private void failed(Throwable failure) {
        then(() -> {
            // OpenAI's error envelope ({"error": {message, type, param, code}}), as the SDKs read it
            Problem problem = ErrorCatalogue.problemOf(failure);
            finish.accept(Outcome.of(problem.status(), problem.code()), problem.status());
            events.onNext(sse("error", ErrorEnvelope.body(problem, true, null, null)));
            events.onComplete();
        });
    }

    private Map<String, Object> event(String type, byte[] picture) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("type", kind + "." + type);
        data.put("b64_json", Base64.getEncoder().encodeToString(picture));
        data.put("created_at", Instant.now().getEpochSecond());
        data.put("size", width + "x" + height);
        data.put("quality", "auto");
        data.put("background", "opaque");
        data.put("output_format", format);
        return data;
    }

    private byte[] sse(String name, Object data) {
        try {
            return ("event: " + name + "\ndata: " + json.writeValueAsString(data) + "\n\n")
                    .getBytes(StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
