package io.qwenimage.service;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.qwenimage.config.QwenConfig;
import io.qwenimage.engine.CancellationToken;
import io.qwenimage.engine.ImageTensors;
import io.qwenimage.engine.RgbImage;
import io.qwenimage.engine.onnx.ExecutionProvider;
import io.qwenimage.engine.onnx.SessionFactory;
import io.qwenimage.engine.onnx.SessionSettings;
import io.qwenimage.engine.upscale.ImageUpscaler;
import io.qwenimage.engine.upscale.Tiling;
import io.qwenimage.errors.ErrorCode;
import io.qwenimage.errors.ServiceException;
import io.qwenimage.jobs.DeadlineExceededException;
import io.qwenimage.jobs.Job;
import io.quarkus.runtime.ShutdownEvent;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * The service's picture upscaler ({@code qwen.upscaler}): opened on first use (the bundled x4 one is unpacked from
 * the jar), shared by every route. An upscale made as a request of its own ({@link #upscale}) is a job in the same
 * queue as generations, with the same request deadline and cancellation, timed in {@code qwen.upscale} (by
 * outcome); one that finishes a generation ({@link #upscaleNow}) runs inside that generation's job. Sizes are
 * checked against {@code qwen.upscaler.max-output-pixels} before anything is allocated.
 */
@ApplicationScoped
public class Upscalers {

    private static final Logger LOG = Logger.getLogger(Upscalers.class);
    /** The lane of upscale jobs: the queue takes turns between it and each model's. */
    private static final String LANE = "upscaler";

    private final QwenConfig.Upscaler config;
    private final QwenConfig all;
    private final GenerationService service;
    private final JobDeadline deadline;
    private final MeterRegistry registry;
    private ImageUpscaler upscaler;
    private SessionFactory sessions;
    private String failure;

    public Upscalers(QwenConfig config, GenerationService service, JobDeadline deadline, MeterRegistry registry) {
        this.config = config.upscaler();
        this.all = config;
        this.service = service;
        this.deadline = deadline;
        this.registry = registry;
    }

    /** What a caller can be told about the upscaler. */
    public record Info(String name, int scale) {
    }

    /** The upscaler's name and scale; 422 when upscaling is off, 503 when it cannot be opened. */
    public Info info() {
        ImageUpscaler u = opened();
        return new Info(u.name(), u.scale());
    }

    /** True unless {@code qwen.upscaler.path} is {@code none}. */
    public boolean enabled() {
        return !config.path().equalsIgnoreCase("none");
    }

    private synchronized ImageUpscaler opened() {
        if (!enabled()) {
            throw new ServiceException(ErrorCode.VALIDATION_ERROR, "upscaling is off on this service "
                    + "(qwen.upscaler.path=none)", Map.of("field", "upscale"));
        }
        if (upscaler == null && failure == null) {
            try {
                Path path = config.path().equalsIgnoreCase("bundled") ? unpacked() : Path.of(config.path());
                QwenConfig.Model mc = all.model();
                sessions = new SessionFactory(new SessionSettings(ExecutionProvider.parse(mc.device()),
                        mc.deviceId(), mc.intraOpThreads(), 1, false, mc.intraOpSpinning()));
                upscaler = ImageUpscaler.open(path, sessions);
                LOG.infof("upscaler %s (x%d) opened from %s", upscaler.name(), upscaler.scale(), path);
            } catch (IOException | RuntimeException e) {
                failure = e.getMessage();
                LOG.errorf("the upscaler cannot be opened: %s", failure);
                if (sessions != null) {
                    sessions.close();
                    sessions = null;
                }
            }
        }
        if (upscaler == null) {
            throw new ServiceException(ErrorCode.MODEL_NOT_LOADED, "the upscaler could not be opened: " + failure,
                    Map.of("model", "upscaler"));
        }
        return upscaler;
    }

    /** The bundled upscaler's two files, from the jar to a folder ONNX Runtime can read. */
    private static Path unpacked() throws IOException {
        // named as in the repository: the folder's name is the upscaler's name
        Path dir = Files.createDirectories(Files.createTempDirectory("qwen-upscaler").resolve("demo-upscaler"));
        for (String name : new String[] {"model.onnx", "config.json"}) {
            try (InputStream in = Upscalers.class.getClassLoader()
                    .getResourceAsStream("models/demo-upscaler/" + name)) {
                if (in == null) {
                    throw new IOException("the bundled upscaler's " + name + " is not in the jar");
                }
                Files.copy(in, dir.resolve(name), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        return dir;
    }

    /** The size {@code factor} (1 to 8, more than 1) makes of a {@code width x height} picture. */
    public static int[] target(int width, int height, double factor) {
        return new int[] {(int) Math.round(width * factor), (int) Math.round(height * factor)};
    }

    /**
     * Refuses, before anything is allocated, a factor outside 1 to 8 or an upscale whose result (or the model's
     * larger picture on the way) would exceed {@code qwen.upscaler.max-output-pixels}.
     *
     * @throws ServiceException 422 naming {@code field}
     */
    public void check(int width, int height, double factor, String field) {
        if (!(factor > 1 && factor <= 8)) {
            throw ServiceException.invalid(field, field + " must be more than 1 and at most 8, not " + factor);
        }
        ImageUpscaler u = opened();
        long made = (long) width * height;
        for (int passes = passes(u, factor); passes > 0; passes--) {
            made *= (long) u.scale() * u.scale();
        }
        int[] size = target(width, height, factor);
        long largest = Math.max(made, (long) size[0] * size[1]);
        if (largest > config.maxOutputPixels()) {
            throw new ServiceException(ErrorCode.VALIDATION_ERROR, "upscaling " + width + "x" + height + " by "
                    + factor + " makes " + largest + " pixels on the way; the most is " + config.maxOutputPixels()
                    + " (qwen.upscaler.max-output-pixels)", Map.of("field", field));
        }
    }

    /**
     * A generation's {@code upscale} option as its finishing stage: none when absent, else checked now (422 naming
     * {@code upscale}), before the generation takes a place.
     */
    public PictureFinish finish(int width, int height, Double factor) {
        if (factor == null) {
            return PictureFinish.NONE;
        }
        check(width, height, factor, "upscale");
        return PictureFinish.upscaled(factor);
    }

    private static int passes(ImageUpscaler u, double factor) {
        int passes = 1;
        for (double reached = u.scale(); reached < factor - 1e-9; reached *= u.scale()) {
            passes++;
        }
        return passes;
    }

    /**
     * {@code image} upscaled {@code factor} times on this thread (a generation's job): the model as often as it takes
     * to reach the factor, then a bicubic resize to the exact size. {@link #check} first.
     */
    public RgbImage upscaleNow(RgbImage image, double factor, CancellationToken cancel) {
        ImageUpscaler u = opened();
        Tiling tiling = new Tiling(config.tile(), config.tileOverlap());
        RgbImage out = image;
        for (int i = passes(u, factor); i > 0; i--) {
            out = u.upscale(out, tiling, cancel);
        }
        int[] size = target(image.width(), image.height(), factor);
        return ImageTensors.resize(out, size[0], size[1]);
    }

    /**
     * {@code image} upscaled as a job of its own in the generations' queue, within the request deadline, and turned
     * into the caller's answer by {@code then} on the worker too (encoding a large picture takes long: never on the
     * event loop).
     *
     * @param field the request's field of the factor, named by a refusal ({@link #check})
     * @param place the queue place taken before the picture was decoded ({@link PictureIntake}), or null
     */
    public <T> Uni<T> upscale(RgbImage image, double factor, String field, QueuePlace place,
                              java.util.function.Function<RgbImage, T> then) {
        check(image.width(), image.height(), factor, field);
        long t0 = System.nanoTime();
        Job<T> job = service.queue().submit(place != null ? place.admission() : service.admit(),
                new io.qwenimage.jobs.JobTask<>() {
            @Override
            public T run(CancellationToken cancel, io.qwenimage.engine.ProgressListener progress) {
                return then.apply(upscaleNow(image, factor, cancel));
            }

            @Override
            public Object lane() {
                return LANE;
            }
        }, all.server().requestTimeout().plusSeconds(1));
        return deadline.await(job)
                .onFailure(DeadlineExceededException.class).invoke(() -> job.cancel("deadline exceeded"))
                .onCancellation().invoke(() -> job.cancel("client disconnected"))
                .onItemOrFailure().invoke((item, failed) -> Timer.builder("qwen.upscale")
                        .description("upscales made as requests of their own (POST /upscale, A1111 extras)")
                        .tag("outcome", failed == null ? "success" : failed.getClass().getSimpleName())
                        .register(registry).record(System.nanoTime() - t0, TimeUnit.NANOSECONDS));
    }

    synchronized void onStop(@Observes ShutdownEvent event) {
        if (upscaler != null) {
            upscaler.close();
            upscaler = null;
        }
        if (sessions != null) {
            sessions.close();
        }
    }
}
