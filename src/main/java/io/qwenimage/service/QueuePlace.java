package io.qwenimage.service;

import io.qwenimage.jobs.Admission;

/**
 * A place in the generation queue taken before the request was ready to run (its uploaded picture still to decode),
 * so that a full queue refuses the request before that work is spent. It is handed to
 * {@link Generations} with the request, which uses it or gives it back; closing it again does nothing, so it is
 * closed on every path.
 */
public final class QueuePlace implements AutoCloseable {

    private final Admission admission;

    QueuePlace(Admission admission) {
        this.admission = admission;
    }

    Admission admission() {
        return admission;
    }

    /** Gives the place back unless a job took it. */
    @Override
    public void close() {
        admission.close();
    }
}
