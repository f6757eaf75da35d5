package io.qwenimage.service;

import io.qwenimage.engine.model.ModelInfo;
import io.qwenimage.engine.onnx.SessionFactory;
import io.qwenimage.engine.pipeline.ImagePipeline;
import io.qwenimage.errors.ErrorCode;
import io.qwenimage.errors.ServiceException;
import io.qwenimage.observability.ModelLoaded;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * The configured models and the ones in memory. At most {@code maxLoaded} are loaded (or loading) at once; loading
 * one more first unloads the least recently used model that no job holds, or waits until one is free. Loads and
 * unloads run one at a time on a thread of their own, never on a request's thread nor a generation's; a model
 * whose load fails is marked failed with the reason, the others keep serving, and its next request (or an admin
 * load) tries again. A job claims its model with a {@link Lease} from submission to its end and waits in the queue
 * while the model loads; a model is never closed under a generation, and a model waiting for room is never
 * starved by steady traffic for the loaded one.
 */
final class ModelRepository implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(ModelRepository.class);

    /** Opens one model and warms it up; blocking, on the loader thread. */
    @FunctionalInterface
    interface Loader {
        LoadedModel load(ModelEntry entry) throws Exception;
    }

    /**
     * An open model.
     *
     * @param pipeline      its pipeline
     * @param sessions      the factory of its sessions (closed after the pipeline: options outlive sessions)
     * @param provider      the execution provider in use
     * @param loadSeconds   reading it and creating its sessions
     * @param warmUpSeconds its throw-away first generation
     */
    record LoadedModel(ImagePipeline pipeline, SessionFactory sessions, String provider, double loadSeconds,
                       double warmUpSeconds) implements AutoCloseable {
        @Override
        public void close() {
            try {
                pipeline.close();
            } finally {
                sessions.close();
            }
        }
    }

    /**
     * One job's claim on its model, from submission to the job's end. A claim that holds the model keeps it from
     * being unloaded; a claim taken while another model waits for room does not hold the model yet (it would keep
     * that model loaded for ever under steady traffic, and the waiting model would starve) and only takes hold when
     * its job could start. A claim on a model that is not loaded loads it, and its job waits in the queue.
     */
    final class Lease implements AutoCloseable {
        private final Slot slot;
        private boolean holds;
        private boolean released;

        private Lease(Slot slot) {
            this.slot = slot;
        }

        /**
         * Whether the job can run now: its model is loaded and held for it, or the load failed (the job then fails
         * at once with the reason). Called by the queue while the job waits.
         */
        boolean ready() {
            boolean changed;
            boolean ready;
            synchronized (ModelRepository.this) {
                if (released) {
                    return true;
                }
                changed = hold(this);
                ready = slot.state == ModelState.FAILED || holds && slot.state == ModelState.READY;
            }
            if (changed) {
                onChange.run();      // outside the lock: the queue's lock is taken while it asks
            }
            return ready;
        }

        /**
         * The model's pipeline, on the worker once {@link #ready()}.
         *
         * @throws ServiceException 503 {@code MODEL_NOT_LOADED} with the reason when the model failed to load
         */
        ImagePipeline pipeline() {
            synchronized (ModelRepository.this) {
                if (!holds || slot.loaded == null) {
                    throw notLoaded(slot, slot.state == ModelState.FAILED ? "it failed to load: " + slot.failure
                            : "it is not loaded");
                }
                return slot.loaded.pipeline();
            }
        }

        /** The pipeline when the model is held and loaded; empty when its load failed. */
        Optional<ImagePipeline> loadedPipeline() {
            synchronized (ModelRepository.this) {
                return holds && slot.loaded != null ? Optional.of(slot.loaded.pipeline()) : Optional.empty();
            }
        }

        /** The model's id as configured. */
        String id() {
            return slot.entry.id();
        }

        @Override
        public void close() {
            synchronized (ModelRepository.this) {
                if (released) {
                    return;
                }
                released = true;
                if (holds) {
                    slot.users--;
                    slot.lastUsed = System.nanoTime();
                    startWaiting();
                }
            }
            onChange.run();
        }
    }

    private static final class Slot {
        final ModelEntry entry;
        ModelState state = ModelState.UNLOADED;
        LoadedModel loaded;
        ModelInfo info;             // kept after an unload: what the model is does not change
        String failure;
        int users;
        long lastUsed;
        boolean occupying;          // counts against the budget: loading, or loaded
        CompletableFuture<ModelInfo> loading;

        Slot(ModelEntry entry) {
            this.entry = entry;
        }
    }

    private final Map<String, Slot> slots = new LinkedHashMap<>();
    private final List<Slot> waitingForRoom = new ArrayList<>();
    private final String defaultId;
    private final int maxLoaded;
    private final Loader loader;
    private final Consumer<ModelLoaded> onLoaded;
    private final Runnable onChange;
    private final ExecutorService loads = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "qwen-model-loader");
        t.setDaemon(true);
        return t;
    });
    private boolean closed;

    /**
     * @param onChange told (never under this repository's lock) whenever a waiting job's {@link Lease#ready()}
     *                 may have changed: a load ended, a model was unloaded, a claim was taken or given back
     */
    ModelRepository(List<ModelEntry> entries, String defaultId, int maxLoaded, Loader loader,
                    Consumer<ModelLoaded> onLoaded, Runnable onChange) {
        entries.forEach(e -> slots.put(e.id(), new Slot(e)));
        if (!slots.containsKey(defaultId)) {
            throw new IllegalArgumentException("qwen.models.default '" + defaultId + "' is none of the configured "
                    + "models " + slots.keySet());
        }
        this.defaultId = defaultId;
        this.maxLoaded = Math.max(1, maxLoaded);
        this.loader = loader;
        this.onLoaded = onLoaded;
        this.onChange = onChange;
    }

    /** The model of requests that name none. */
    String defaultId() {
        return defaultId;
    }

    /** Every model, in configuration order. */
    synchronized List<ModelStatus> statuses() {
        return slots.values().stream().map(this::status).toList();
    }

    /**
     * Model {@code id} as it is now.
     *
     * @throws ServiceException 404 {@code MODEL_NOT_FOUND}, listing the ids, for a model not configured
     */
    synchronized ModelStatus status(String id) {
        return status(slot(id));
    }

    private ModelStatus status(Slot s) {
        return new ModelStatus(s.entry, s.state, s.info, s.failure, s.entry.id().equals(defaultId), s.users);
    }

    /**
     * Model {@code id} once it is ready: at once when it is, else when its load (started now if none runs)
     * ends. The future fails with 503 {@code MODEL_NOT_LOADED} and the reason when the load fails.
     *
     * @throws ServiceException 404 {@code MODEL_NOT_FOUND} for a model not configured
     */
    synchronized CompletableFuture<ModelInfo> load(String id) {
        Slot s = slot(id);
        if (s.state == ModelState.READY) {
            return CompletableFuture.completedFuture(s.info);
        }
        if (s.state != ModelState.LOADING) {
            if (closed) {
                return CompletableFuture.failedFuture(notLoaded(s, "the service is shutting down"));
            }
            s.state = ModelState.LOADING;
            s.loading = new CompletableFuture<>();
            if (hasRoom() || evictOne()) {
                start(s);
            } else {
                LOG.infof("model %s waits for a model to unload (qwen.models.max-loaded=%d, all in use)", id,
                        maxLoaded);
                waitingForRoom.add(s);
            }
        }
        return s.loading;
    }

    /**
     * A claim on model {@code id} for one job (see {@link Lease}); starts its load when it is not loaded.
     *
     * @throws ServiceException 404 for a model not configured, 503 {@code MODEL_NOT_LOADED} while shutting down
     */
    Lease lease(String id) {
        Lease lease;
        synchronized (this) {
            Slot s = slot(id);
            if (closed) {
                throw notLoaded(s, "the service is shutting down");
            }
            lease = new Lease(s);
            hold(lease);
            s.lastUsed = System.nanoTime();
        }
        onChange.run();
        return lease;
    }

    /**
     * Takes hold of the lease's model when it may: it is loading (nothing can unload it then), or it is loaded and
     * no other model waits for room. Starts a load of a model that is not loaded. True when anything changed.
     */
    private boolean hold(Lease lease) {
        Slot s = lease.slot;
        if (lease.holds) {
            return false;
        }
        if (s.state == ModelState.LOADING || s.state == ModelState.READY && waitingForRoom.isEmpty()) {
            lease.holds = true;
            s.users++;
            return true;
        }
        if (s.state == ModelState.UNLOADED && !closed) {
            // unloaded since the job was queued (its claim did not hold it): loaded again for it
            load(s.entry.id());
            return hold(lease);
        }
        return false;
    }

    /**
     * Checks that ready model {@code id} can take generations now.
     *
     * @throws ServiceException 404 for a model not configured, 503 {@code MODEL_NOT_LOADED} when it is not ready
     */
    synchronized void requireReady(String id) {
        Slot s = slot(id);
        if (s.state != ModelState.READY) {
            throw notLoaded(s, s.state == ModelState.FAILED ? "it failed to load: " + s.failure
                    : s.state == ModelState.LOADING ? "it is loading" : "it was unloaded a moment ago");
        }
    }

    /**
     * Unloads model {@code id} now (an admin's request).
     *
     * @throws ServiceException 409 {@code MODEL_BUSY} while jobs hold it or it is loading
     */
    synchronized ModelStatus unload(String id) {
        Slot s = slot(id);
        if (s.state == ModelState.LOADING) {
            throw new ServiceException(ErrorCode.MODEL_BUSY, "model " + id + " is loading; unload it once it has "
                    + "loaded", Map.of("model", id));
        }
        if (s.users > 0) {
            throw new ServiceException(ErrorCode.MODEL_BUSY, "model " + id + " is in use by " + s.users
                    + " queued or running generations; unload it once they have ended",
                    Map.of("model", id, "active_jobs", s.users));
        }
        if (s.state == ModelState.READY) {
            unloadNow(s);
            startWaiting();
        }
        return status(s);
    }

    /** Adds models found since the start (a rescan of the models directory); known ids are left as they are. */
    synchronized List<String> add(List<ModelEntry> found) {
        List<String> added = new ArrayList<>();
        for (ModelEntry e : found) {
            if (!slots.containsKey(e.id())) {
                slots.put(e.id(), new Slot(e));
                added.add(e.id());
            }
        }
        return added;
    }

    /** Closes every loaded model (after the queue has stopped: no job holds one any more). */
    @Override
    public void close() {
        List<LoadedModel> open = new ArrayList<>();
        synchronized (this) {
            closed = true;
            for (Slot s : slots.values()) {
                if (s.loaded != null) {
                    open.add(s.loaded);
                    s.loaded = null;
                    s.state = ModelState.UNLOADED;
                }
            }
            waitingForRoom.forEach(s -> s.loading.completeExceptionally(notLoaded(s, "the service is shutting down")));
            waitingForRoom.clear();
        }
        loads.shutdownNow();
        open.forEach(LoadedModel::close);
    }

    private Slot slot(String id) {
        Slot s = slots.get(id);
        if (s == null) {
            throw new ServiceException(ErrorCode.MODEL_NOT_FOUND, "no model '" + id + "' here; the models are "
                    + String.join(", ", slots.keySet()), Map.of("field", "model", "models",
                    List.copyOf(slots.keySet())));
        }
        return s;
    }

    private boolean hasRoom() {
        return slots.values().stream().filter(s -> s.occupying).count() < maxLoaded;
    }

    /** Unloads the least recently used ready model no job holds; false when every loaded model is in use. */
    private boolean evictOne() {
        Optional<Slot> idle = slots.values().stream()
                .filter(s -> s.state == ModelState.READY && s.users == 0)
                .min(Comparator.comparingLong(s -> s.lastUsed));
        idle.ifPresent(s -> {
            LOG.infof("unloading model %s, the least recently used (qwen.models.max-loaded=%d)", s.entry.id(),
                    maxLoaded);
            unloadNow(s);
        });
        return idle.isPresent();
    }

    private void unloadNow(Slot s) {
        LoadedModel m = s.loaded;
        s.loaded = null;
        s.state = ModelState.UNLOADED;
        s.occupying = false;
        // on the loader thread: before any load that was waiting for this room
        loads.execute(m::close);
    }

    private void startWaiting() {
        while (!waitingForRoom.isEmpty() && (hasRoom() || evictOne())) {
            start(waitingForRoom.remove(0));
        }
    }

    private void start(Slot s) {
        s.occupying = true;
        s.failure = null;
        CompletableFuture<ModelInfo> done = s.loading;
        loads.execute(() -> {
            LoadedModel m;
            try {
                m = loader.load(s.entry);
            } catch (Exception | LinkageError e) {
                // LinkageError: ONNX Runtime's native library did not load (a noexec temporary directory, ...)
                String reason = e.getMessage() == null ? e.toString() : e.getMessage();
                LOG.errorf(e, "model %s failed to load: %s", s.entry.id(), reason);
                synchronized (this) {
                    s.state = ModelState.FAILED;
                    s.failure = reason;
                    s.occupying = false;
                    startWaiting();
                }
                done.completeExceptionally(notLoaded(s, "it failed to load: " + reason));
                onChange.run();
                return;
            }
            ModelLoaded ready;
            synchronized (this) {
                if (closed) {
                    m.close();
                    return;
                }
                s.loaded = m;
                s.info = m.pipeline().info().withId(s.entry.id());
                s.state = ModelState.READY;
                s.lastUsed = System.nanoTime();
                ready = new ModelLoaded(s.info, m.provider(), m.loadSeconds(), m.warmUpSeconds());
            }
            onLoaded.accept(ready);
            done.complete(s.info);
            onChange.run();
        });
    }

    private static ServiceException notLoaded(Slot s, String why) {
        return new ServiceException(ErrorCode.MODEL_NOT_LOADED, "model " + s.entry.id() + " cannot take "
                + "generations now: " + why, Map.of("model", s.entry.id(), "state", s.state.label()));
    }

    /** The loaded model {@code id}'s pipeline facts and the numbers of its load, for metrics. */
    synchronized Optional<LoadedModel> loaded(String id) {
        return Optional.ofNullable(slot(id).loaded);
    }
}
