package io.qwenimage.jobs;

import io.qwenimage.engine.ProgressListener;

/**
 * Watches one generation where it runs, on its worker thread: steps and phases (as a {@link ProgressListener}),
 * and a scope around the whole job in which log context and tracing context are those of the request that
 * submitted it.
 */
public interface JobHooks extends ProgressListener {

    /** Watches nothing. */
    JobHooks NONE = new JobHooks() {
        @Override
        public void onStep(int step, int total) {
        }

        @Override
        public Scope started() {
            return () -> { };
        }
    };

    /** The job begins on a worker thread; the scope is closed when it ends, however it ends. */
    Scope started();

    /**
     * The job begins as one member of a batch: as {@link #started()}, but its scope may be closed in any order
     * relative to the other members' (so it must not make thread-local context current).
     */
    default Scope startedInBatch() {
        return started();
    }

    /** What {@link #started()} opened. */
    interface Scope extends AutoCloseable {
        @Override
        void close();
    }
}
