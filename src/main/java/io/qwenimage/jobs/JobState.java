package io.qwenimage.jobs;

/** Where a job is in its life. */
public enum JobState {
    QUEUED, RUNNING, SUCCEEDED, FAILED, CANCELLED, TIMED_OUT;

    /** True once the job will not change any more. */
    public boolean isFinal() {
        return this != QUEUED && this != RUNNING;
    }
}
