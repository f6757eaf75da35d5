package io.qwenimage.engine;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

/**
 * Stops one generation from another thread: the pipeline checks it before every UNet call, and the ONNX Runtime
 * call in flight is told to terminate, so the worker is free again within one step. Thread-safe; cancelling twice
 * keeps the first reason.
 */
public final class CancellationToken {

    private volatile String reason;
    private OrtSession.RunOptions bound;

    /** Asks the generation to stop; {@code reason} says why (e.g. "cancelled by client", "deadline exceeded"). */
    public void cancel(String why) {
        OrtSession.RunOptions options;
        synchronized (this) {
            if (reason != null) {
                return;
            }
            reason = why;
            options = bound;
        }
        terminate(options);
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

    /** Ties the run options of the calls in flight to this token (null unbinds). */
    void bind(OrtSession.RunOptions options) {
        boolean cancelled;
        synchronized (this) {
            bound = options;
            cancelled = reason != null;
        }
        if (cancelled) {
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
            // already closed: the call has finished, and the next step's check stops the loop
        }
    }
}
