package io.qwenimage.observability;

import io.qwenimage.engine.GenerationRequest;
import io.qwenimage.security.Caller;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What is known about one generation request as it goes: who asked, what, and when it was admitted, started
 * and ended. It ends once, with an {@link Outcome}, which feeds the metrics and the audit line.
 */
public final class GenerationRecord {

    private final String endpoint;
    private final Caller caller;
    private final String requestId;
    private final AtomicBoolean ended = new AtomicBoolean();
    private volatile boolean streamed;
    private volatile GenerationRequest request;
    private volatile String model = "none";
    private volatile long submittedNanos;
    private volatile long startedNanos;
    private volatile long finishedNanos;
    private volatile int images;
    private volatile long onnxNanos = -1;
    private volatile boolean seedDrawn;
    private volatile boolean cached;

    GenerationRecord(String endpoint, Caller caller, String requestId) {
        this.endpoint = endpoint;
        this.caller = caller;
        this.requestId = requestId;
    }

    /** The request chose model {@code model} (a configured id): its meters carry it from now on, however it ends. */
    public void chose(String model) {
        this.model = model;
    }

    /** The request is valid and about to be queued. */
    public void submitted(GenerationRequest request, String model) {
        this.request = request;
        this.model = model;
        this.submittedNanos = System.nanoTime();
    }

    void started() {
        startedNanos = System.nanoTime();
    }

    void finished(int images) {
        this.images = images;
        finishedNanos = System.nanoTime();
    }

    /** The request named no seed: one was drawn for it (so its answer is not cacheable). */
    public void seedDrawn() {
        this.seedDrawn = true;
    }

    public boolean isSeedDrawn() {
        return seedDrawn;
    }

    /** The answer came from the result cache. */
    public void cached() {
        this.cached = true;
    }

    public boolean isCached() {
        return cached;
    }

    /** The pictures are computed: {@code onnxNanos} of it was spent inside ONNX Runtime calls. */
    public void computed(long onnxNanos) {
        this.onnxNanos = onnxNanos;
    }

    /** Time inside ONNX Runtime calls, or -1 before the pictures are computed. */
    public long onnxNanos() {
        return onnxNanos;
    }

    /** True the first time only. */
    /** The answer is a stream that outlives the response's start: the stream ends the record, not the response. */
    public void streamed() {
        streamed = true;
    }

    boolean isStreamed() {
        return streamed;
    }

    boolean end() {
        return ended.compareAndSet(false, true);
    }

    public String endpoint() {
        return endpoint;
    }

    public Caller caller() {
        return caller;
    }

    public String requestId() {
        return requestId;
    }

    public GenerationRequest request() {
        return request;
    }

    public String model() {
        return model;
    }

    public int images() {
        return images;
    }

    /** Admission to start, or -1 when the job never started. */
    public long queueWaitNanos() {
        return submittedNanos > 0 && startedNanos > 0 ? startedNanos - submittedNanos : -1;
    }

    /** {@link System#nanoTime()} when the request was admitted to the queue, or 0. */
    public long submittedNanos() {
        return submittedNanos;
    }

    /** Start to end on the worker, or -1. */
    public long runNanos() {
        return startedNanos > 0 && finishedNanos > 0 ? finishedNanos - startedNanos : -1;
    }
}
