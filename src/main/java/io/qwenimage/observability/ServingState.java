package io.qwenimage.observability;

import io.qwenimage.jobs.JobQueue;

/**
 * What the gauges read of the service that runs generations; the service implements it, so that metrics need not
 * know the service (which records its generations here: the dependency goes one way).
 */
public interface ServingState {

    /** The queue, or null before the model is loaded. */
    JobQueue queue();

    /** True when the model is loaded and warmed up and the service is not draining. */
    boolean isReady();

    /**
     * Every configured model's state ({@code unloaded}, {@code loading}, {@code ready}, {@code failed}), by id in
     * configuration order; empty before the models are configured.
     */
    java.util.Map<String, String> modelStates();
}
