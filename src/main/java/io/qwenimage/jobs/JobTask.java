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
}
