package io.qwenimage.engine;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

/**
 * Stops one generation from another thread: the pipeline checks it before every UNet call, and the ONNX Runtime
 * call in flight is told to terminate, so the worker is free again within one step. Thread-safe; cancelling twice
 * keeps the first reason.
 *
 * <p>The run options are touched only under this token's lock, and whoever owns them unbinds them ({@code
 * bind(null)}) before closing them: so a cancel from another thread either terminates them while they are still
 * open or finds them unbound, and never reaches native options that were already freed.
 */
public final class CancellationToken {

    private volatile String reason;
    private OrtSession.RunOptions bound;

    /** Asks the generation to stop; {@code reason} says why (e.g. "cancelled by client", "deadline exceeded"). */
    public synchronized void cancel(String why) {
        if (reason != null) {
            return;
        }
        reason = why;
        terminate(bound);
    }

    public boolean isCancelled() {
        return reason != null;
    }

    /** The first reason given, or null. */
    public String reason() {
        return reason;
    }

    /** Throws {@link GenerationCancelledException} when cancelled. */
    public void throwIfCancelled() {
        String r = reason;
        if (r != null) {
            throw new GenerationCancelledException(r);
        }
    }

    /**
     * Ties the run options of the calls in flight to this token; null unbinds them, and must come before they are
     * closed (it waits for a cancel that is terminating them right now).
     */
    public synchronized void bind(OrtSession.RunOptions options) {
        bound = options;
        if (reason != null) {
            terminate(options);
        }
    }

    private static void terminate(OrtSession.RunOptions options) {
        if (options == null) {
            return;
        }
        try {
            options.setTerminate(true);
        } catch (OrtException | IllegalStateException e) {
            // not running: the next step's check stops the loop
        }
    }
}
