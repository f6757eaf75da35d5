package io.qwenimage.jobs;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A place in a {@link JobQueue} taken before its job exists: a request that has expensive preparation to do (an
 * uploaded picture to decode) is admitted first, so a full queue refuses it before that work is spent. The place
 * counts like a job (capacity, draining waits for it) until it is handed to {@link JobQueue#submit(Admission,
 * JobTask, java.time.Duration)} or closed; closing after that does nothing, so callers close it on every path.
 */
public final class Admission implements AutoCloseable {

    private final AtomicBoolean held = new AtomicBoolean(true);
    private final JobQueue queue;
    private final Runnable release;

    Admission(JobQueue queue, Runnable release) {
        this.queue = queue;
        this.release = release;
    }

    /** Takes the place over for a job of {@code owner}; false when it was used or given back already. */
    boolean claim(JobQueue owner) {
        return owner == queue && held.compareAndSet(true, false);
    }

    /** Gives the place back unless a job took it. */
    @Override
    public void close() {
        if (held.compareAndSet(true, false)) {
            release.run();
        }
    }
}
