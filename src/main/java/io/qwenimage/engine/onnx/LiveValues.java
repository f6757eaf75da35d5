package io.qwenimage.engine.onnx;

import ai.onnxruntime.OnnxValue;
import java.util.Iterator;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts ONNX Runtime values (native tensors) the engine created and has not closed yet, so tests and metrics
 * can see a leak. Every tensor the engine creates or receives from a run is registered; closed ones are pruned
 * as registration goes on, so the bookkeeping stays small.
 */
public final class LiveValues {

    private static final ConcurrentLinkedQueue<OnnxValue> VALUES = new ConcurrentLinkedQueue<>();
    private static final AtomicInteger SINCE_PRUNE = new AtomicInteger();

    private LiveValues() {
    }

    /** Registers a value and returns it. */
    public static <T extends OnnxValue> T track(T value) {
        VALUES.add(value);
        if (SINCE_PRUNE.incrementAndGet() >= 256) {
            SINCE_PRUNE.set(0);
            prune();
        }
        return value;
    }

    /** Values registered and still open. */
    public static int count() {
        prune();
        return VALUES.size();
    }

    private static void prune() {
        for (Iterator<OnnxValue> it = VALUES.iterator(); it.hasNext(); ) {
            if (it.next().isClosed()) {
                it.remove();
            }
        }
    }
}
