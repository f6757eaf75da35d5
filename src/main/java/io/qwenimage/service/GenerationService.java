package io.qwenimage.service;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.qwenimage.config.ConfigValidator;
import io.qwenimage.config.QwenConfig;
import io.qwenimage.engine.CancellationToken;
import io.qwenimage.engine.GenerationRequest;
import io.qwenimage.engine.GenerationResult;
import io.qwenimage.engine.ProgressListener;
import io.qwenimage.engine.model.ModelInfo;
import io.qwenimage.engine.onnx.ExecutionProvider;
import io.qwenimage.engine.onnx.SessionFactory;
import io.qwenimage.engine.onnx.SessionSettings;
import io.qwenimage.engine.pipeline.ImagePipeline;
import io.qwenimage.engine.pipeline.Pipelines;
import io.qwenimage.engine.scheduler.SchedulerKind;
import io.qwenimage.jobs.Admission;
import io.qwenimage.jobs.Job;
import io.qwenimage.jobs.JobHooks;
import io.qwenimage.jobs.JobQueue;
import io.qwenimage.jobs.QueueSettings;
import io.qwenimage.observability.ModelLoaded;
import io.qwenimage.observability.ServingState;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Loads the model in the background at startup (so health can report "starting" meanwhile), runs one warm-up
 * generation, then serves generations through the bounded {@link JobQueue}.
 */
@ApplicationScoped
public class GenerationService implements ServingState {

    private static final Logger LOG = Logger.getLogger(GenerationService.class);

    private final QwenConfig config;
    private final Instant startedAt = Instant.now();
    private volatile ImagePipeline pipeline;
    private volatile JobQueue queue;
    private volatile SessionFactory sessions;
    private volatile boolean warmedUp;
    private volatile String failure;
    private volatile boolean draining;
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();
    private final Duration shutdownTimeout;

    private final Event<ModelLoaded> loaded;

    public GenerationService(QwenConfig config,
                             @ConfigProperty(name = "quarkus.shutdown.timeout", defaultValue = "60s")
                             Duration shutdownTimeout, Event<ModelLoaded> loaded) {
        this.config = config;
        this.shutdownTimeout = shutdownTimeout;
        this.loaded = loaded;
    }

    void onStart(@Observes StartupEvent event) {
        ConfigValidator.validate(config);
        // ordered before ONNX Runtime's own shutdown hook frees its environment (DrainOnSignal says why)
        DrainOnSignal.install(() -> {
            LOG.infof("waiting for %d queued and running generations", queue == null ? 0
                    : queue.queued() + queue.running());
            drain();
            closeEngine();
        });
        Thread loader = new Thread(this::load, "qwen-model-loader");
        loader.setDaemon(true);
        loader.start();
    }

    void onStop(@Observes ShutdownEvent event) {
        drain();
        closeEngine();
    }

    private void drain() {
        draining = true;
        JobQueue q = queue;
        if (q != null) {
            q.beginDrain();
            try {
                if (!q.awaitIdle(shutdownTimeout)) {
                    LOG.warnf("jobs still running after %s; cancelling them", shutdownTimeout);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void closeEngine() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        JobQueue q = queue;
        if (q != null) {
            q.close();
        }
        ImagePipeline p = pipeline;
        if (p != null) {
            p.close();
        }
        SessionFactory f = sessions;
        if (f != null) {
            f.close();      // after the sessions: their options outlive them
        }
    }

    private void load() {
        long t0 = System.nanoTime();
        try {
            QwenConfig.Model mc = config.model();
            sessions = new SessionFactory(new SessionSettings(ExecutionProvider.parse(mc.device()), mc.deviceId(),
                    mc.intraOpThreads(), 1, false, mc.intraOpSpinning()));
            ImagePipeline opened;
            if (mc.path().isPresent() && !mc.path().get().isBlank()) {
                opened = Pipelines.open(Path.of(mc.path().get()), sessions);
            } else {
                Path work = mc.workDir().map(Path::of).orElse(null);
                if (work == null) {
                    work = Files.createTempDirectory("qwen-demo-model");
                }
                opened = Pipelines.openDemo(work, sessions);
            }
            pipeline = opened;
            ModelInfo info = opened.info();
            double loadSeconds = (System.nanoTime() - t0) / 1e9;
            LOG.infof("model %s loaded (%s, %s, native %dpx, provider %s) in %.1f s", info.id(), info.family(),
                    info.dtype(), info.nativeSize(), sessions.activeProvider(), loadSeconds);
            SchedulerKind preferred = info.defaultScheduler(SchedulerKind.fromApiName(config.generation().scheduler()));
            String unavailable = info.scheduler().unavailable(preferred);
            if (unavailable != null) {
                LOG.warnf("the default scheduler %s (qwen.generation.scheduler) cannot run this model: %s; requests "
                        + "that do not name a scheduler get 422 until it is set to one of %s", preferred.apiName(),
                        unavailable, info.schedulers().stream().map(SchedulerKind::apiName).toList());
            }
            // Euler ancestral reads none of the keys that can rule an alpha-bar scheduler out
            SchedulerKind warmUp = info.schedulers().contains(SchedulerKind.EULER) ? SchedulerKind.EULER
                    : info.schedulers().isEmpty() ? SchedulerKind.EULER_ANCESTRAL : info.schedulers().get(0);
            long w0 = System.nanoTime();
            opened.generate(GenerationRequest.textToImage("warm-up", "", info.nativeSize(), info.nativeSize(), 2,
                    2.0, warmUp, 0, 1), ProgressListener.NONE, new CancellationToken());
            QwenConfig.Queue qc = config.queue();
            queue = new JobQueue(new QueueSettings(qc.workers(), qc.capacity(), qc.timeout(), qc.maxBatch(),
                    qc.maxBatchDelay()));
            double warmUpSeconds = (System.nanoTime() - w0) / 1e9;
            loaded.fire(new ModelLoaded(info, sessions.activeProvider(), loadSeconds, warmUpSeconds));
            warmedUp = true;
            LOG.infof("warm-up generation took %.1f s; ready", warmUpSeconds);
        } catch (RuntimeException | IOException | LinkageError e) {
            // LinkageError: ONNX Runtime's native library did not load (e.g. a noexec temporary directory); without
            // this the loader thread would die and the service would report "starting" for ever
            failure = e.getMessage();
            LOG.errorf(e, "model failed to load: %s", e.getMessage());
        }
    }

    /**
     * Submits one generation; {@code then} turns its result into what the caller sends (encoding happens on the
     * worker thread, never on the event loop, and before the job counts as done for draining). {@code hooks}
     * watch it on the worker (log context, metrics, spans).
     */
    public <T> Job<T> submit(GenerationRequest request, JobHooks hooks,
                             java.util.function.Function<GenerationResult, T> then) {
        return submit(admit(), request, hooks, then);
    }

    /**
     * Takes a place in the queue for a generation still being prepared (its picture decoded), or refuses at once.
     *
     * @throws io.qwenimage.jobs.QueueFullException    when the queue is full
     * @throws io.qwenimage.jobs.ShuttingDownException while draining
     * @throws ServiceNotReadyException               while loading, or when loading failed
     */
    public Admission admit() {
        JobQueue q = queue;
        if (draining) {
            throw new io.qwenimage.jobs.ShuttingDownException();
        }
        if (pipeline == null || q == null) {
            throw new ServiceNotReadyException(failure != null ? "the model failed to load: " + failure
                    : "the model is still loading");
        }
        return q.admit();
    }

    /** As {@link #submit(GenerationRequest, JobHooks, java.util.function.Function)}, into a place taken before. */
    public <T> Job<T> submit(Admission admission, GenerationRequest request, JobHooks hooks,
                             java.util.function.Function<GenerationResult, T> then) {
        // the request deadline itself is GenerationResponder's fault-tolerance timeout; this one is its backstop
        return queue.submit(admission, new GenerationTask<>(pipeline, request, hooks, then),
                config.server().requestTimeout().plusSeconds(1));
    }

    /**
     * The model, when generations can be taken now.
     *
     * @throws ServiceNotReadyException while loading, or with the reason loading failed
     * @throws io.qwenimage.jobs.ShuttingDownException while draining
     */
    public ModelInfo readyModel() {
        if (draining) {
            throw new io.qwenimage.jobs.ShuttingDownException();
        }
        ImagePipeline m = pipeline;
        if (failure != null) {
            throw new ServiceNotReadyException("the model failed to load: " + failure);
        }
        if (m == null || !warmedUp) {
            throw new ServiceNotReadyException("the model is still loading");
        }
        return m.info();
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
        return draining;
    }

    /** Ready to take generations: started and not draining. */
    @Override
    public boolean isReady() {
        return warmedUp && !isDraining();
    }

    /** The loaded model's description, or null while loading. */
    public ModelInfo modelInfo() {
        ImagePipeline m = pipeline;
        return m == null ? null : m.info();
    }

    public String executionProvider() {
        SessionFactory s = sessions;
        return s == null ? config.model().device() : s.activeProvider();
    }

    /** The queue, or null while loading. */
    @Override
    public JobQueue queue() {
        return queue;
    }

    public Duration uptime() {
        return Duration.between(startedAt, Instant.now());
    }

}
