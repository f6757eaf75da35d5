package io.qwenimage.service;

import io.qwenimage.config.QwenConfig;
import io.qwenimage.engine.InpaintMask;
import io.qwenimage.engine.RgbImage;
import io.qwenimage.engine.image.DecodeBudget;
import io.qwenimage.engine.image.ImageCodec;
import io.qwenimage.engine.image.ImageHeader;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;

/**
 * Uploaded pictures on their way to a generation. Decoding one can take seconds of CPU (a 1 KB progressive JPEG
 * may declare 4096 x 4096 pixels), so it never runs on the event loop, where it would stall every request of that
 * loop, health probes included. In order, each step cheaper than the next: the header is read and its size
 * checked (413); the request takes its place in the queue (a full queue: 503, nothing decoded); the decode
 * reserves its memory in the decode budget ({@code qwen.limits.max-decoding-bytes}; spent: 503 with Retry-After);
 * the picture is decoded on a small fixed pool of threads; the generation goes into the place taken before.
 */
@ApplicationScoped
public class PictureIntake {

    private final GenerationService service;
    private final DecodeBudget budget;
    private final long maxPixels;
    private final ExecutorService decoders;

    public PictureIntake(GenerationService service, QwenConfig config) {
        this.service = service;
        this.budget = new DecodeBudget(config.limits().maxDecodingBytes());
        this.maxPixels = config.limits().maxInputPixels();
        // few threads: decoding competes with generation for the cores, and the budget admits few large
        // pictures at once anyway. The pool's backlog is bounded by the queue places its tasks hold.
        int threads = Math.max(1, Math.min(2, Runtime.getRuntime().availableProcessors() / 2));
        AtomicInteger n = new AtomicInteger();
        this.decoders = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "qwen-decode-" + n.getAndIncrement());
            t.setDaemon(true);
            return t;
        });
    }

    @PreDestroy
    void close() {
        decoders.shutdownNow();
    }

    /**
     * Decodes {@code picture} off the event loop, after the request was admitted, and continues with {@code then}
     * on the request's own context. The place is given back if anything fails before {@code then} submits into
     * it, or if it never does.
     *
     * @throws io.qwenimage.engine.image.ImageTooLargeException       when the header declares too many pixels
     * @throws io.qwenimage.jobs.QueueFullException                   when the queue is full
     * @throws io.qwenimage.engine.image.DecodeBudgetExceededException when decodes in flight take the budget
     */
    public <T> Uni<T> withPicture(byte[] picture, BiFunction<QueuePlace, RgbImage, Uni<T>> then) {
        return withPictures(picture, null, null, (place, pictures) -> then.apply(place, pictures.image()));
    }

    /**
     * An uploaded picture and its inpainting mask, decoded together off the event loop (both in the decode
     * budget).
     *
     * @param mask null for none
     */
    public record Uploads(RgbImage image, InpaintMask mask) {
    }

    /**
     * {@link #withPicture} for a picture and its mask ({@code mask} null: none), the mask read as {@code reading}
     * says; the header checks apply to both.
     */
    public <T> Uni<T> withPictures(byte[] picture, byte[] mask, ImageCodec.MaskReading reading,
                                   BiFunction<QueuePlace, Uploads, Uni<T>> then) {
        ImageHeader header = ImageCodec.header(picture, maxPixels);
        ImageHeader maskHeader = mask == null ? null : ImageCodec.header(mask, maxPixels);
        QueuePlace place = new QueuePlace(service.admit());
        CompletableFuture<Uploads> decoded;
        try {
            long bytes = header.decodingBytes() + (maskHeader == null ? 0 : maskHeader.decodingBytes());
            DecodeBudget.Lease lease = budget.acquire(bytes);
            try {
                decoded = CompletableFuture.supplyAsync(() -> {
                    try (lease) {
                        return new Uploads(ImageCodec.decode(picture, maxPixels),
                                mask == null ? null : ImageCodec.decodeMask(mask, maxPixels, reading));
                    }
                }, decoders);
            } catch (RuntimeException e) {
                lease.close(); // the pool is shut down: the task will never run
                throw e;
            }
        } catch (RuntimeException e) {
            place.close();
            throw e;
        }
        Context context = Vertx.currentContext();
        return Uni.createFrom().completionStage(decoded)
                // back on the request's context: request-scoped state (caller, metrics record) lives there
                .emitOn(command -> {
                    if (context == null) {
                        command.run();
                    } else {
                        context.runOnContext(v -> command.run());
                    }
                })
                .onItem().transformToUni(uploads -> then.apply(place, uploads))
                // however it ends (an asynchronous job answered from its Idempotency-Key submits nothing)
                .onTermination().invoke(place::close);
    }

    /** Bytes of decoding in flight, for tests and metrics. */
    long decodingBytes() {
        return budget.inFlight();
    }
}
