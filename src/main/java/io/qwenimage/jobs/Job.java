package io.qwenimage.jobs;

import io.qwenimage.engine.CancellationToken;
import io.qwenimage.engine.ProgressListener;
import io.qwenimage.engine.RgbImage;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One admitted unit of work: its task, deadline, cancellation token, progress and result. Created by
 * {@link JobQueue#submit}; completes exactly once.
 */
public final class Job<T> {

    private final String id;
    private final JobTask<T> task;
    private final Duration timeout;
    private final long submittedNanos = System.nanoTime();
    private final CancellationToken token = new CancellationToken();
    private final CompletableFuture<T> result = new CompletableFuture<>();
    private final AtomicReference<JobState> state = new AtomicReference<>(JobState.QUEUED);
    private volatile boolean deadlinePassed;
    private volatile RuntimeException abortCause;
    private volatile int step;
    private volatile int totalSteps;
    private volatile long lastBeatNanos;
    private volatile long startedNanos;
    private volatile long readySinceNanos = submittedNanos;
    private Runnable onRemoveWhileQueued = () -> { };
    private volatile PreviewSchedule previews;
    private volatile Consumer<LivePreview> previewSink = p -> { };
    /** Every preview made so far, in order (a few: spread schedules make at most three, others keep the latest). */
    private final List<LivePreview> made = new ArrayList<>();

    Job(String id, JobTask<T> task, Duration timeout) {
        this.id = id;
        this.task = task;
        this.timeout = timeout;
    }

    /** A job that is already done with {@code value} (an answer that needed no work, e.g. from a cache). */
    public static <T> Job<T> finished(T value) {
        Job<T> job = new Job<>(java.util.UUID.randomUUID().toString(), (cancel, progress) -> value, Duration.ZERO);
        job.state.set(JobState.SUCCEEDED);
        job.result.complete(value);
        return job;
    }

    public String id() {
        return id;
    }

    /** Completes with the task's value, or exceptionally with the reason it did not run to the end. */
    public CompletionStage<T> result() {
        return result.minimalCompletionStage();
    }

    public JobState state() {
        return state.get();
    }

    /** Steps done so far and their total (0/0 before the first step). */
    public int step() {
        return step;
    }

    public int totalSteps() {
        return totalSteps;
    }

    /**
     * Seconds until a running job is done, from its pace so far; -1 before its first step or when not running.
     */
    public double etaSeconds() {
        int done = step;
        int total = totalSteps;
        if (state.get() != JobState.RUNNING || done <= 0 || total <= 0) {
            return -1;
        }
        double perStep = (System.nanoTime() - startedNanos) / 1e9 / done;
        return perStep * (total - done);
    }

    /**
     * Stops the job because the service cannot finish it (it is shutting down): as {@link #cancel}, but the caller
     * is answered with {@code cause} (a retryable 503, say) instead of a cancellation it did not ask for.
     */
    public void abort(RuntimeException cause) {
        abortCause = cause;
        if (state.compareAndSet(JobState.QUEUED, JobState.CANCELLED)) {
            onRemoveWhileQueued.run();
            result.completeExceptionally(cause);
        } else if (state.get() == JobState.RUNNING) {
            token.cancel(cause.getMessage());
        }
    }

    /** Why the service stopped this job, when it did ({@link #abort}); null otherwise. */
    RuntimeException abortCause() {
        return abortCause;
    }

    /**
     * Stops the job: a queued job leaves the queue at once, a running one stops at its next step.
     * No effect once the job has finished.
     */
    public void cancel(String reason) {
        if (state.compareAndSet(JobState.QUEUED, JobState.CANCELLED)) {
            onRemoveWhileQueued.run();
            result.completeExceptionally(new java.util.concurrent.CancellationException(reason));
        } else if (state.get() == JobState.RUNNING) {
            token.cancel(reason);
        }
    }

    // ---- used by the queue and the workers

    Duration timeout() {
        return timeout;
    }

    long submittedNanos() {
        return submittedNanos;
    }

    /** Since when the job could have started: its submission, or the end of the wait for its model. */
    long readySinceNanos() {
        return readySinceNanos;
    }

    void readySince(long nanos) {
        readySinceNanos = nanos;
    }

    JobTask<T> task() {
        return task;
    }

    CancellationToken token() {
        return token;
    }

    CompletableFuture<T> future() {
        return result;
    }

    void onRemoveWhileQueued(Runnable action) {
        this.onRemoveWhileQueued = action;
    }

    boolean start() {
        lastBeatNanos = System.nanoTime();
        startedNanos = lastBeatNanos;
        return state.compareAndSet(JobState.QUEUED, JobState.RUNNING);
    }

    /** Ends a job that a worker started; false when it had ended otherwise. */
    boolean finish(JobState end) {
        return state.compareAndSet(JobState.RUNNING, end);
    }

    /**
     * Ends a job that no worker has started, in one step: whoever wins this or {@link #start} owns the job's
     * admitted place, so it is given back exactly once.
     */
    boolean dropWhileQueued(JobState end) {
        return state.compareAndSet(JobState.QUEUED, end);
    }

    /**
     * From now on the job makes live previews at {@code schedule}'s steps (its caller asked: a progress stream with
     * previews, A1111's progress, OpenAI streaming). Until someone asks, a job makes none.
     */
    public void wantPreviews(PreviewSchedule schedule) {
        previews = schedule;
    }

    /**
     * {@link #wantPreviews} and each preview handed to {@code sink} as it is made, on the worker: the sink must
     * only pass it on (to another thread, which encodes it).
     */
    public void wantPreviews(PreviewSchedule schedule, Consumer<LivePreview> sink) {
        previewSink = sink;
        previews = schedule;
    }

    /** The latest preview, or null before the first. */
    public LivePreview preview() {
        synchronized (made) {
            return made.isEmpty() ? null : made.get(made.size() - 1);
        }
    }

    /** What the worker reports to: steps (status, events, the stall watchdog) and the previews asked for. */
    ProgressListener listener() {
        return new ProgressListener() {
            @Override
            public void onStep(int done, int total) {
                progress(done, total);
            }

            @Override
            public boolean wantsPreview(int done, int total) {
                PreviewSchedule schedule = previews;
                return schedule != null && schedule.due(done, total);
            }

            @Override
            public void onPreview(int done, int total, RgbImage picture) {
                LivePreview preview;
                synchronized (made) {
                    int index = made.isEmpty() ? 0 : made.get(made.size() - 1).index() + 1;
                    if (made.size() >= 4) {
                        made.remove(0);
                    }
                    preview = new LivePreview(done, total, index, picture);
                    made.add(preview);
                }
                previewSink.accept(preview);
            }
        };
    }

    void progress(int done, int total) {
        step = done;
        totalSteps = total;
        lastBeatNanos = System.nanoTime();
    }

    /** How long the running job has gone without finishing a step (0 when not running). */
    Duration sinceLastStep() {
        return state.get() == JobState.RUNNING ? Duration.ofNanos(System.nanoTime() - lastBeatNanos) : Duration.ZERO;
    }

    void markDeadlinePassed() {
        deadlinePassed = true;
    }

    boolean deadlinePassed() {
        return deadlinePassed;
    }
}
