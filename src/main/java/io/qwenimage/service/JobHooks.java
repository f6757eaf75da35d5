package io.qwenimage.service;

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

    /** What {@link #started()} opened. */
    interface Scope extends AutoCloseable {
        @Override
        void close();
    }
}
