package io.qwenimage.service;

/**
 * One open progress stream of a job: its place among the job's and the caller's streams
 * ({@code qwen.jobs.events-max-subscribers-per-*}), held until closed, and the job's document read for the caller
 * who opened it (a stream polls on a timer thread, outside its request).
 */
public interface ProgressStream extends AutoCloseable {

    /**
     * The job as its reader gets it now.
     *
     * @throws io.qwenimage.errors.ServiceException 404 or 410 once the job is gone
     */
    JobAnswer poll();

    /**
     * The job's latest live preview, or null (none yet, not asked for, or the job runs on another replica).
     */
    PreviewPicture preview();

    /** Gives the stream's place back. */
    @Override
    void close();
}
