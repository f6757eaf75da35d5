package io.qwenimage.engine.onnx;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.qwenimage.engine.ModelException;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Opens ONNX Runtime sessions with the configured execution provider. Graph optimisation is ORT_ENABLE_ALL
 * (constant folding, fusions; safe for exported diffusion graphs), execution sequential (a UNet is one long chain;
 * parallel execution only adds scheduling cost), and the memory pattern off by default (request sizes vary).
 *
 * <p>With {@link ExecutionProvider#AUTO} the first session that cannot get CUDA logs one WARN line with the
 * reason and every session runs on the CPU from then on; {@link ExecutionProvider#CUDA} fails instead.
 *
 * <p>ONNX Runtime's rule: a session's {@code SessionOptions} must stay open until the session is closed (they may
 * hold resources the session uses). So the factory keeps the options of every session it opened and closes them in
 * {@link #close()}, which its owner calls after closing the sessions: one factory per loaded model, closed with it.
 */
public final class SessionFactory implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(SessionFactory.class.getName());

    private final OrtEnvironment env = OrtEnvironment.getEnvironment();
    private final SessionSettings settings;
    private volatile String active;
    private volatile String fallbackReason;
    private final java.util.List<OrtSession.SessionOptions> options = new java.util.ArrayList<>();
    private boolean closed;

    public SessionFactory(SessionSettings settings) {
        this.settings = settings;
        this.active = settings.provider() == ExecutionProvider.CPU ? "cpu" : null;
    }

    public OrtEnvironment environment() {
        return env;
    }

    /** "cpu" or "cuda:N" once a session was opened; before that, the configured choice. */
    public String activeProvider() {
        String a = active;
        return a != null ? a : settings.provider().name().toLowerCase(java.util.Locale.ROOT);
    }

    /** Why AUTO fell back to the CPU, or null. */
    public String fallbackReason() {
        return fallbackReason;
    }

    /** Opens one graph; a missing or unreadable file is a {@link ModelException} naming it. */
    public OrtSession open(Path model) {
        return open(model, null);
    }

    /**
     * Opens {@code graph}, the bytes of a rewritten {@code model} (null: the file itself); {@code model} names it
     * in messages.
     */
    public OrtSession open(Path model, byte[] graph) {
        if (graph == null && !Files.isRegularFile(model)) {
            throw ModelException.of(model, "is missing");
        }
        boolean wantCuda = settings.provider() == ExecutionProvider.CUDA
                || (settings.provider() == ExecutionProvider.AUTO && fallbackReason == null);
        if (wantCuda) {
            try {
                OrtSession session = create(model, graph, true);
                active = "cuda:" + settings.deviceId();
                return session;
            } catch (OrtException | RuntimeException | UnsatisfiedLinkError e) {
                if (settings.provider() == ExecutionProvider.CUDA) {
                    throw ModelException.of(model, "cannot run on CUDA device " + settings.deviceId() + " ("
                            + e.getMessage() + "); set the execution provider to auto or cpu", e);
                }
                fallbackReason = String.valueOf(e.getMessage());
                LOG.log(Level.WARNING, "CUDA execution provider unavailable, running on CPU: " + fallbackReason);
            }
        }
        try {
            OrtSession session = create(model, graph, false);
            active = "cpu";
            return session;
        } catch (OrtException e) {
            throw ModelException.of(model, "ONNX Runtime cannot load it (" + e.getMessage() + ")", e);
        }
    }

    private OrtSession create(Path model, byte[] graph, boolean cuda) throws OrtException {
        OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        try {
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
            options.setMemoryPatternOptimization(settings.memoryPattern());
            if (settings.intraOpThreads() > 0) {
                options.setIntraOpNumThreads(settings.intraOpThreads());
            }
            if (settings.interOpThreads() > 0) {
                options.setInterOpNumThreads(settings.interOpThreads());
            }
            options.addConfigEntry("session.intra_op.allow_spinning", settings.spinning() ? "1" : "0");
            if (cuda) {
                options.addCUDA(settings.deviceId());
            }
            // a path (not bytes) so that external weights (model.onnx_data) beside the graph are found; rewritten
            // graphs come as bytes only when they hold their weights
            OrtSession session = graph != null ? env.createSession(graph, options)
                    : env.createSession(model.toString(), options);
            keep(options);
            return session;
        } catch (OrtException | RuntimeException | UnsatisfiedLinkError e) {
            options.close();    // no session uses them
            throw e;
        }
    }

    private synchronized void keep(OrtSession.SessionOptions opened) {
        if (closed) {
            opened.close();
            throw new IllegalStateException("this session factory is closed");
        }
        options.add(opened);
    }

    /** Options kept for sessions opened and not yet released by {@link #close()}. */
    public synchronized int openOptions() {
        return options.size();
    }

    /** Closes the options of every session this factory opened; call it once those sessions are closed. */
    @Override
    public synchronized void close() {
        closed = true;
        for (OrtSession.SessionOptions o : options) {
            o.close();
        }
        options.clear();
    }
}
