package io.qwenimage.jobs;

import java.util.List;

/**
 * A task that may share its run with compatible queued tasks (dynamic batching, {@code qwen.queue.max-batch}).
 * The worker that takes it also takes waiting tasks with an equal {@link #batchKey()}, up to the batch's weight
 * limit, and hands them all to the first one's {@link #runTogether}.
 */
public interface BatchableTask<T> extends JobTask<T> {

    /** Tasks with equal keys may run together; null: this one always runs alone. Asked only once it can start. */
    Object batchKey();

    /** The share of a batch this task takes (its images); a batch weighs at most {@code max-batch}. */
    int batchWeight();

    /**
     * Runs {@code members} (this task's first, all with this task's key) in one go. Each member gets its outcome
     * through {@link BatchMember#succeed} or {@link BatchMember#fail} as soon as it is known; the queue fails any
     * member left without one.
     */
    void runTogether(List<BatchMember<?>> members) throws Exception;
}
