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
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Runs generations: the configured models ({@link ModelRepository}: loaded at start in the background, so health
 * can report "starting" meanwhile, or by their first request; each warmed up by one throw-away generation) and the
 * one bounded {@link JobQueue} they share. Readiness: every model marked load-at-start loaded and warmed, and not
 * draining; a model loaded later, or one that fails later, does not change it.
 */
@ApplicationScoped
public class GenerationService implements ServingState {

    private static final Logger LOG = Logger.getLogger(GenerationService.class);

    private final QwenConfig config;
    private final Instant startedAt = Instant.now();
    private volatile ModelRepository models;
    private volatile JobQueue queue;
    private volatile boolean started;
    private volatile String failure;
    private volatile boolean draining;
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();
    private final Duration shutdownTimeout;
    private final Event<ModelLoaded> loaded;
    private Path demoDir;

    public GenerationService(QwenConfig config,
                             @ConfigProperty(name = "quarkus.shutdown.timeout", defaultValue = "60s")
                             Duration shutdownTimeout, Event<ModelLoaded> loaded) {
        this.config = config;
        this.shutdownTimeout = shutdownTimeout;
        this.loaded = loaded;
    }

    void onStart(@Observes StartupEvent event) {
        ConfigValidator.validate(config);
        List<ModelEntry> entries = ModelCatalogue.entries(config);
        ModelCatalogue.check(config, entries);
        models = new ModelRepository(entries, ModelCatalogue.defaultId(config, entries), config.models().maxLoaded(),
                this::open, loaded::fire, this::wakeQueue);
        QwenConfig.Queue qc = config.queue();
        queue = new JobQueue(new QueueSettings(qc.workers(), qc.capacity(), qc.timeout(), qc.maxBatch(),
                qc.maxBatchDelay()));
        // ordered before ONNX Runtime's own shutdown hook frees its environment (DrainOnSignal says why)
        DrainOnSignal.install(() -> {
            LOG.infof("waiting for %d queued and running generations", queue.queued() + queue.running());
            drain();
            closeEngine();
        });
        Thread starter = new Thread(() -> loadAtStart(entries), "qwen-model-start");
        starter.setDaemon(true);
        starter.start();
    }

    void onStop(@Observes ShutdownEvent event) {
        drain();
        closeEngine();
    }

    /** Loads the models marked load-at-start, one after the other; started once all are ready. */
    private void loadAtStart(List<ModelEntry> entries) {
        for (ModelEntry e : entries.stream().filter(ModelEntry::loadAtStart).toList()) {
            try {
                models.load(e.id()).join();
            } catch (java.util.concurrent.CompletionException ex) {
                failure = models.status(e.id()).failure();
                return;
            }
        }
        started = true;
    }

    /** A model loaded, unloaded or failed: jobs waiting for it may start now. */
    private void wakeQueue() {
        JobQueue q = queue;
        if (q != null) {
            q.wake();
        }
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
        ModelRepository m = models;
        if (m != null) {
            m.close();      // after the queue: no job holds a model any more
        }
    }

    /** Opens {@code entry} and warms it up: the repository's loader, on its thread. */
    private ModelRepository.LoadedModel open(ModelEntry entry) throws IOException {
        long t0 = System.nanoTime();
        QwenConfig.Model mc = config.model();
        SessionFactory sessions = new SessionFactory(new SessionSettings(ExecutionProvider.parse(entry.device()),
                mc.deviceId(), mc.intraOpThreads(), 1, false, mc.intraOpSpinning()));
        ImagePipeline opened = null;
        try {
            opened = entry.folder().isPresent() ? Pipelines.open(entry.folder().get(), sessions)
                    : Pipelines.openDemo(demoDir(), sessions);
            ModelInfo info = opened.info();
            double loadSeconds = (System.nanoTime() - t0) / 1e9;
            LOG.infof("model %s loaded (%s, %s, native %dpx, provider %s) in %.1f s", entry.id(), info.family(),
                    info.dtype(), info.nativeSize(), sessions.activeProvider(), loadSeconds);
            warnOfDefaultScheduler(entry, info);
            long w0 = System.nanoTime();
            warmUp(opened, info);
            double warmUpSeconds = (System.nanoTime() - w0) / 1e9;
            LOG.infof("model %s: warm-up generation took %.1f s; ready", entry.id(), warmUpSeconds);
            return new ModelRepository.LoadedModel(opened, sessions,
                    sessions.activeProvider(), loadSeconds, warmUpSeconds);
        } catch (IOException | RuntimeException | Error e) {
            try {
                if (opened != null) {
                    opened.close();
                }
            } finally {
                sessions.close();
            }
            throw e;
        }
    }

    private synchronized Path demoDir() throws IOException {
        if (demoDir == null) {
            Path work = config.model().workDir().map(Path::of).orElse(null);
            demoDir = work != null ? work : Files.createTempDirectory("qwen-demo-model");
        }
        return demoDir;
    }

    private void warnOfDefaultScheduler(ModelEntry entry, ModelInfo info) {
        SchedulerKind preferred = info.defaultScheduler(SchedulerKind.fromApiName(
                entry.scheduler().orElse(config.generation().scheduler())));
        String unavailable = info.scheduler().unavailable(preferred);
        if (unavailable != null) {
            LOG.warnf("the default scheduler %s (qwen.generation.scheduler) cannot run model %s: %s; requests "
                    + "that do not name a scheduler get 422 until it is set to one of %s", preferred.apiName(),
                    entry.id(), unavailable, info.schedulers().stream().map(SchedulerKind::apiName).toList());
        }
    }

    private static void warmUp(ImagePipeline opened, ModelInfo info) {
        // Euler ancestral reads none of the keys that can rule an alpha-bar scheduler out
        SchedulerKind warmUp = info.schedulers().contains(SchedulerKind.EULER) ? SchedulerKind.EULER
                : info.schedulers().isEmpty() ? SchedulerKind.EULER_ANCESTRAL : info.schedulers().get(0);
        opened.generate(GenerationRequest.textToImage("warm-up", "", info.nativeSize(), info.nativeSize(), 2,
                2.0, warmUp, 0, 1), ProgressListener.NONE, new CancellationToken());
    }

    /**
     * Takes a place in the queue for a generation still being prepared (its picture decoded), or refuses at once.
     *
     * @throws io.qwenimage.jobs.QueueFullException    when the queue is full
     * @throws io.qwenimage.jobs.ShuttingDownException while draining
     * @throws ServiceNotReadyException               while the models loaded at start load, or when one failed
     */
    public Admission admit() {
        if (draining) {
            throw new io.qwenimage.jobs.ShuttingDownException();
        }
        if (!started) {
            throw notReady();
        }
        return queue.admit();
    }

    /**
     * Submits one generation on model {@code model} into a place taken now; {@code then} turns its result into
     * what the caller gets (on the worker thread, before the job counts as done for draining); {@code hooks} watch
     * it on the worker (log context, metrics, spans).
     */
    public <T> Job<T> submit(String model, GenerationRequest request, JobHooks hooks,
                             java.util.function.Function<GenerationResult, T> then) {
        return submit(admit(), model, request, hooks, Finisher.NONE, then);
    }

    /**
     * As {@link #submit(String, GenerationRequest, JobHooks, java.util.function.Function)}, into a place taken
     * before. The job claims its model until it ends; it waits in the queue, in its model's lane, while the model
     * loads (a model unloaded since the request chose it loads again), and fails with 503 {@code MODEL_NOT_LOADED}
     * and the reason when that load fails.
     */
    public <T> Job<T> submit(Admission admission, String model, GenerationRequest request, JobHooks hooks,
                             java.util.function.Function<GenerationResult, T> then) {
        return submit(admission, model, request, hooks, Finisher.NONE, then);
    }

    /** As above, the pictures through {@code finisher} on the worker before {@code then}. */
    <T> Job<T> submit(Admission admission, String model, GenerationRequest request, JobHooks hooks,
                      Finisher finisher, java.util.function.Function<GenerationResult, T> then) {
        ModelRepository.Lease lease;
        try {
            lease = models.lease(model);
        } catch (RuntimeException e) {
            admission.close();
            throw e;
        }
        Job<T> job;
        try {
            // the request deadline itself is JobDeadline's timer; this one is its backstop
            job = queue.submit(admission, new GenerationTask<>(lease, request, hooks, finisher, then),
                    config.server().requestTimeout().plusSeconds(1));
        } catch (RuntimeException e) {
            lease.close();
            throw e;
        }
        job.result().whenComplete((r, e) -> lease.close());
        return job;
    }

    /**
     * The default model, when generations can be taken on it now.
     *
     * @throws ServiceNotReadyException while the models loaded at start load, or with the reason one failed
     * @throws io.qwenimage.errors.ServiceException 503 {@code MODEL_NOT_LOADED} while it is not loaded (unloaded to
     *                                              make room; its next request loads it again)
     * @throws io.qwenimage.jobs.ShuttingDownException while draining
     */
    public ModelInfo readyModel() {
        if (draining) {
            throw new io.qwenimage.jobs.ShuttingDownException();
        }
        if (!started) {
            throw notReady();
        }
        models.requireReady(models.defaultId());     // 503 with the reason unless it is ready
        return models.status(models.defaultId()).info();
    }

    /**
     * Model {@code id} (null or blank: the default) once requests can be taken for it: at once when it is loaded,
     * or was loaded before (its load starts now if none runs, and its jobs wait for it in the queue, with their
     * place shown); otherwise when the load it starts now ends (what a model is — its size, schedulers — is known
     * only once it has been opened). A load unloads the least recently used idle model if
     * {@code qwen.models.max-loaded} are loaded. Fails with 404 {@code MODEL_NOT_FOUND} for an id not configured,
     * 503 while the models loaded at start load, 503 {@code MODEL_NOT_LOADED} with the reason when its load fails.
     */
    public CompletionStage<ModelInfo> model(String id) {
        try {
            String chosen = id == null || id.isBlank() ? models.defaultId() : id;
            if (draining) {
                throw new io.qwenimage.jobs.ShuttingDownException();
            }
            if (!started && (models.status(chosen).entry().loadAtStart() || chosen.equals(models.defaultId()))) {
                throw notReady();
            }
            CompletableFuture<ModelInfo> load = models.load(chosen);
            ModelInfo known = models.status(chosen).info();
            if (!load.isDone() && known != null) {
                // loaded before: what it is is known, so its request goes on and its job waits in the queue
                return CompletableFuture.completedFuture(known);
            }
            return load;
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private ServiceNotReadyException notReady() {
        return new ServiceNotReadyException(failure != null ? "the model failed to load: " + failure
                : "the model is still loading");
    }

    @Override
    public java.util.Map<String, String> modelStates() {
        java.util.Map<String, String> states = new java.util.LinkedHashMap<>();
        models().forEach(m -> states.put(m.entry().id(), m.state().label()));
        return states;
    }

    /** Every configured model with its state. */
    public List<ModelStatus> models() {
        return models == null ? List.of() : models.statuses();
    }

    /**
     * Model {@code id} as it is now.
     *
     * @throws io.qwenimage.errors.ServiceException 404 {@code MODEL_NOT_FOUND} for an id not configured
     */
    public ModelStatus modelStatus(String id) {
        return models.status(id);
    }

    /** Loads model {@code id} (an admin's request); the stage completes once it is ready or has failed. */
    public CompletionStage<ModelInfo> loadModel(String id) {
        return models.load(id);
    }

    /**
     * Unloads model {@code id} (an admin's request).
     *
     * @throws io.qwenimage.errors.ServiceException 409 {@code MODEL_BUSY} while jobs hold it or it is loading
     */
    public ModelStatus unloadModel(String id) {
        return models.unload(id);
    }

    /** Adds the model folders put under {@code qwen.models.dir} since the start; the ids added. */
    public List<String> rescanModels() {
        return config.models().dir().filter(d -> !d.isBlank())
                .map(d -> models.add(ModelCatalogue.foldersIn(Path.of(d), config.model().device())))
                .orElse(List.of());
    }

    /** The configuration of model {@code id}: its own default scheduler and steps. */
    public ModelEntry entry(String id) {
        return models.status(id).entry();
    }

    /** The default model's id. */
    public String defaultModelId() {
        return models.defaultId();
    }

    /** Every model loaded at start is loaded and warmed up. */
    public boolean isStarted() {
        return started;
    }

    /** Why loading a model at start failed, or null. */
    public String failure() {
        return failure;
    }

    public boolean isDraining() {
        return draining;
    }

    /** Ready to take generations: started and not draining. */
    @Override
    public boolean isReady() {
        return started && !isDraining();
    }

    /** The default model's description, or null until it has been loaded. */
    public ModelInfo modelInfo() {
        ModelRepository m = models;
        return m == null ? null : m.status(m.defaultId()).info();
    }

    /** The default model's execution provider (cpu, cuda), or the configured device until it is loaded. */
    public String executionProvider() {
        ModelRepository m = models;
        return m == null ? config.model().device() : m.loaded(m.defaultId())
                .map(ModelRepository.LoadedModel::provider).orElse(config.model().device());
    }

    /** The queue, or null before the start. */
    @Override
    public JobQueue queue() {
        return queue;
    }

    public Duration uptime() {
        return Duration.between(startedAt, Instant.now());
    }
}
