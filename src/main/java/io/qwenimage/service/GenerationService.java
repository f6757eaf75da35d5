package io.qwenimage.service;

import io.qwenimage.config.ConfigValidator;
import io.qwenimage.config.QwenConfig;
import io.qwenimage.engine.CancellationToken;
import io.qwenimage.engine.DiffusionPipeline;
import io.qwenimage.engine.GenerationRequest;
import io.qwenimage.engine.GenerationResult;
import io.qwenimage.engine.ProgressListener;
import io.qwenimage.engine.model.ModelBundle;
import io.qwenimage.engine.model.ModelInfo;
import io.qwenimage.engine.onnx.ExecutionProvider;
import io.qwenimage.engine.onnx.SessionFactory;
import io.qwenimage.engine.onnx.SessionSettings;
import io.qwenimage.engine.scheduler.SchedulerKind;
import io.qwenimage.jobs.Job;
import io.qwenimage.jobs.JobQueue;
import io.qwenimage.jobs.QueueSettings;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.jboss.logging.Logger;

/**
 * Loads the model in the background at startup (so health can report "starting" meanwhile), runs one warm-up
 * generation, then serves generations through the bounded {@link JobQueue}.
 */
@ApplicationScoped
public class GenerationService {

    private static final Logger LOG = Logger.getLogger(GenerationService.class);

    private final QwenConfig config;
    private final Instant startedAt = Instant.now();
    private volatile ModelBundle model;
    private volatile DiffusionPipeline pipeline;
    private volatile JobQueue queue;
    private volatile SessionFactory sessions;
    private volatile boolean warmedUp;
    private volatile String failure;

    public GenerationService(QwenConfig config) {
        this.config = config;
    }

    void onStart(@Observes StartupEvent event) {
        ConfigValidator.validate(config);
        Thread loader = new Thread(this::load, "qwen-model-loader");
        loader.setDaemon(true);
        loader.start();
    }

    void onStop(@Observes ShutdownEvent event) {
        JobQueue q = queue;
        if (q != null) {
            q.beginDrain();
            try {
                q.awaitIdle(Duration.ofSeconds(30));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            q.close();
        }
        ModelBundle m = model;
        if (m != null) {
            m.close();
        }
    }

    private void load() {
        long t0 = System.nanoTime();
        try {
            QwenConfig.Model mc = config.model();
            sessions = new SessionFactory(new SessionSettings(ExecutionProvider.parse(mc.device()), mc.deviceId(),
                    mc.intraOpThreads(), 1, false));
            if (mc.path().isPresent() && !mc.path().get().isBlank()) {
                model = ModelBundle.open(Path.of(mc.path().get()), sessions);
            } else {
                Path work = mc.workDir().map(Path::of).orElse(null);
                if (work == null) {
                    work = Files.createTempDirectory("qwen-demo-model");
                }
                model = ModelBundle.openDemo(work, sessions);
            }
            pipeline = new DiffusionPipeline(model);
            ModelInfo info = model.info();
            LOG.infof("model %s loaded (%s, %s, native %dpx, provider %s) in %.1f s", info.id(), info.family(),
                    info.dtype(), info.nativeSize(), sessions.activeProvider(), (System.nanoTime() - t0) / 1e9);
            long w0 = System.nanoTime();
            pipeline.generate(GenerationRequest.textToImage("warm-up", "", info.nativeSize(), info.nativeSize(), 2,
                    2.0, SchedulerKind.EULER, 0, 1), ProgressListener.NONE, new CancellationToken());
            QwenConfig.Queue qc = config.queue();
            queue = new JobQueue(new QueueSettings(qc.workers(), qc.capacity(), qc.timeout()));
            warmedUp = true;
            LOG.infof("warm-up generation took %.1f s; ready", (System.nanoTime() - w0) / 1e9);
        } catch (RuntimeException | IOException e) {
            failure = e.getMessage();
            LOG.errorf(e, "model failed to load: %s", e.getMessage());
        }
    }

    /** Submits one generation with the configured request deadline. */
    public Job<GenerationResult> submit(GenerationRequest request) {
        DiffusionPipeline p = pipeline;
        JobQueue q = queue;
        if (p == null || q == null) {
            throw new ServiceNotReadyException(failure != null ? "the model failed to load: " + failure
                    : "the model is still loading");
        }
        return q.submit((cancel, progress) -> p.generate(request, progress, cancel),
                config.server().requestTimeout());
    }

    /** Loaded and warmed up. */
    public boolean isStarted() {
        return warmedUp;
    }

    /** Why loading failed, or null. */
    public String failure() {
        return failure;
    }

    public boolean isDraining() {
        JobQueue q = queue;
        return q != null && q.isDraining();
    }

    /** Ready to take generations: started and not draining. */
    public boolean isReady() {
        return warmedUp && !isDraining();
    }

    /** The loaded model's description, or null while loading. */
    public ModelInfo modelInfo() {
        ModelBundle m = model;
        return m == null ? null : m.info();
    }

    public String executionProvider() {
        SessionFactory s = sessions;
        return s == null ? config.model().device() : s.activeProvider();
    }

    /** The queue, or null while loading. */
    public JobQueue queue() {
        return queue;
    }

    public Duration uptime() {
        return Duration.between(startedAt, Instant.now());
    }

    /** Stops admitting new generations (readiness goes DOWN at once). */
    public void beginDrain() {
        JobQueue q = queue;
        if (q != null) {
            q.beginDrain();
        }
    }
}
