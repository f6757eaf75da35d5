package io.qwenimage.jobs;

import io.qwenimage.engine.CancellationToken;
import io.qwenimage.engine.ProgressListener;

/** The work of one job, run on a worker thread. */
@FunctionalInterface
public interface JobTask<T> {

    /**
     * @param cancel   fires on client cancel, deadline or shutdown; the task must check it (the engine does,
     *                 before every step)
     * @param progress report steps here (feeds progress events and the stall watchdog)
     */
    T run(CancellationToken cancel, ProgressListener progress) throws Exception;

    /**
     * The lane this task waits in: the queue serves lanes round-robin, so that a burst in one (one model's jobs)
     * cannot starve another. Null: the one shared lane.
     */
    default Object lane() {
        return null;
    }

    /**
     * False while the task cannot start yet (its model is still loading): a worker passes its lane over meanwhile,
     * and the queue timeout counts from when it can. Tell the queue when this changes ({@link JobQueue#wake()}).
     */
    default boolean canStart() {
        return true;
    }
}
