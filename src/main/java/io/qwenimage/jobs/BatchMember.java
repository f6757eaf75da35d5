package io.qwenimage.jobs;

import io.qwenimage.engine.CancellationToken;
import io.qwenimage.engine.ProgressListener;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One job inside a batch: its task, its own cancellation token and progress, and the one-time delivery of its
 * outcome, which finishes the job at once (a cancelled member's client is answered while the batch goes on).
 */
public final class BatchMember<T> {

    private final Job<T> job;
    private final JobQueue queue;
    private final AtomicBoolean delivered = new AtomicBoolean();

    BatchMember(Job<T> job, JobQueue queue) {
        this.job = job;
        this.queue = queue;
    }

    /** The member's task; its concrete type is the one that made the batch. */
    public BatchableTask<T> task() {
        return (BatchableTask<T>) job.task();
    }

    /** Fires on the member's own cancel, deadline or shutdown. */
    public CancellationToken cancel() {
        return job.token();
    }

    /** Step progress of this member (feeds its status, events and the stall watchdog) and its previews. */
    public ProgressListener progress() {
        return job.listener();
    }

    /** Completes the member with its value (ignored after the first outcome). */
    public void succeed(T value) {
        if (delivered.compareAndSet(false, true)) {
            queue.settle(job, value, null);
        }
    }

    /** Completes the member with a failure, mapped as for a job run alone (ignored after the first outcome). */
    public void fail(Throwable error) {
        if (delivered.compareAndSet(false, true)) {
            queue.settle(job, null, error);
        }
    }

    boolean delivered() {
        return delivered.get();
    }
}
