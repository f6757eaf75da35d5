package io.qwenimage.jobs;

import io.qwenimage.engine.GenerationCancelledException;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Bounded admission in front of a fixed pool of worker threads.
 *
 * <p>Admission is one atomic step on a counter of jobs in the system (waiting + running): at most
 * {@code capacity + workers} at a time, so a full queue is refused at once and there is no check-then-offer race.
 * Each job has a deadline timer: a queued job past it is dropped; a running one has its cancellation token fired
 * and stops at its next step, freeing the worker. A job that waited longer than the queue timeout is dropped
 * when a worker picks it up.
 *
 * <p>Dynamic batching ({@code maxBatch > 1}): a worker that takes a {@link BatchableTask} also takes the waiting
 * tasks with the same batch key, up to {@code maxBatch} in weight, waiting up to {@code maxBatchDelay} for more
 * only while jobs have recently been in the system together, and runs them as one; each member still completes
 * on its own (value, cancellation, deadline, failure).
 */
public final class JobQueue implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(JobQueue.class.getName());

    private final QueueSettings settings;
    private final WaitingLine waiting = new WaitingLine();
    private final AtomicInteger inSystem = new AtomicInteger();
    private final AtomicInteger running = new AtomicInteger();
    private final java.util.concurrent.atomic.AtomicLong admissions = new java.util.concurrent.atomic.AtomicLong();
    private final ScheduledExecutorService timers;
    private final List<Thread> workers = new ArrayList<>();
    private final List<Job<?>> active = new java.util.concurrent.CopyOnWriteArrayList<>();
    private volatile boolean draining;
    private volatile boolean stopped;
    private volatile double meanServiceSeconds = 1.0;
    private final java.util.concurrent.atomic.AtomicLong batchesRun = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong jobsBatched = new java.util.concurrent.atomic.AtomicLong();
    private volatile long lastConcurrentNanos = System.nanoTime() - CONCURRENCY_MEMORY_NANOS;

    /** How long after two jobs were last in the system together a worker still waits for batch company. */
    private static final long CONCURRENCY_MEMORY_NANOS = 10_000_000_000L;

    public JobQueue(QueueSettings settings) {
        this.settings = settings;
        this.timers = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "qwen-job-deadlines");
            t.setDaemon(true);
            return t;
        });
        for (int i = 0; i < settings.workers(); i++) {
            Thread t = new Thread(this::work, "qwen-worker-" + i);
            t.setDaemon(true);
            workers.add(t);
            t.start();
        }
    }

    /**
     * Admits a job or refuses it at once.
     *
     * @param timeout the job's deadline, from now
     * @throws QueueFullException    when {@code capacity} jobs already wait
     * @throws ShuttingDownException while draining
     */
    public <T> Job<T> submit(JobTask<T> task, Duration timeout) {
        return submit(admit(), task, timeout);
    }

    /**
     * Takes a place for a job that is still being prepared, or refuses at once: the same one compare-and-set as
     * {@link #submit(JobTask, Duration)}, so the place is the caller's until it submits or closes it.
     *
     * @throws QueueFullException    when {@code capacity} jobs already wait
     * @throws ShuttingDownException while draining
     */
    public Admission admit() {
        if (draining) {
            throw new ShuttingDownException();
        }
        int limit = settings.capacity() + settings.workers();
        while (true) {
            int now = inSystem.get();
            if (now >= limit) {
                throw new QueueFullException(settings.capacity(), retryAfterSeconds(now));
            }
            if (inSystem.compareAndSet(now, now + 1)) {
                admissions.incrementAndGet();
                if (now >= 1) {
                    lastConcurrentNanos = System.nanoTime();
                }
                return new Admission(this, this::release);
            }
        }
    }

    /**
     * Submits a job into the place {@code admission} holds. Draining does not refuse it: it was admitted before,
     * and draining waits for admitted work.
     *
     * @param timeout the job's deadline, from now
     * @throws IllegalStateException when the place was used or given back already, or is another queue's
     */
    public <T> Job<T> submit(Admission admission, JobTask<T> task, Duration timeout) {
        if (!admission.claim(this)) {
            throw new IllegalStateException("this admission was used or closed already");
        }
        if (stopped) {
            release();
            throw new ShuttingDownException();
        }
        Job<T> job = new Job<>(UUID.randomUUID().toString(), task, timeout);
        job.onRemoveWhileQueued(() -> {
            waiting.remove(job);
            release();
        });
        ScheduledFuture<?> deadline = timers.schedule(() -> expire(job), timeout.toNanos(), TimeUnit.NANOSECONDS);
        job.future().whenComplete((v, e) -> deadline.cancel(false));
        waiting.add(job);
        return job;
    }

    /**
     * Tells the workers that a waiting task may be able to start now ({@link JobTask#canStart()} changed: its
     * model has loaded, or failed to).
     */
    public void wake() {
        waiting.wake();
    }

    /** Jobs waiting for a worker. */
    public int queued() {
        return waiting.size();
    }

    /**
     * 1 for the next job a worker takes, 2 for the one after, ... as the lanes' turns go now; 0 when {@code job} is
     * not waiting.
     */
    public int position(Job<?> job) {
        return waiting.position(job);
    }

    /** Mean time a job spends on a worker, recently (seconds). */
    public double meanServiceSeconds() {
        return meanServiceSeconds;
    }

    /** Batches of two or more jobs run so far. */
    public long batchesRun() {
        return batchesRun.get();
    }

    /** Jobs that ran as members of such batches. */
    public long jobsBatched() {
        return jobsBatched.get();
    }

    /** Jobs admitted and not yet settled (waiting + running): the count that admission compares to its limit. */
    public int inSystem() {
        return inSystem.get();
    }

    /** Jobs admitted since start (refused ones not counted). */
    public long admissions() {
        return admissions.get();
    }

    /** Jobs on a worker now. */
    public int running() {
        return running.get();
    }

    /** The longest time any running job has gone without finishing a step (the liveness watchdog reads it). */
    public Duration longestStepInFlight() {
        Duration worst = Duration.ZERO;
        for (Job<?> j : active) {
            Duration d = j.sinceLastStep();
            if (d.compareTo(worst) > 0) {
                worst = d;
            }
        }
        return worst;
    }

    /** Stops admitting; jobs already admitted still run. */
    public void beginDrain() {
        draining = true;
    }

    public boolean isDraining() {
        return draining;
    }

    /** Waits until every admitted job has finished, or the timeout passes; true when idle. */
    public boolean awaitIdle(Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (inSystem.get() > 0) {
            if (System.nanoTime() > end) {
                return false;
            }
            Thread.sleep(20);
        }
        return true;
    }

    /**
     * Stops whatever is left and the workers, waiting (up to 10 s) until none is inside a job any more, so that
     * the caller may then close the model the workers were using. The jobs left are answered with
     * {@link ShuttingDownException} (a 503 their clients retry), not as cancelled: nobody cancelled them.
     */
    @Override
    public void close() {
        draining = true;
        for (Job<?> j : waiting.all()) {
            j.abort(ShuttingDownException.unfinished());
        }
        active.forEach(j -> j.abort(ShuttingDownException.unfinished()));
        stopped = true;
        workers.forEach(Thread::interrupt);
        timers.shutdownNow();
        long end = System.nanoTime() + 10_000_000_000L;
        for (Thread t : workers) {
            try {
                t.join(Math.max(1, (end - System.nanoTime()) / 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private long retryAfterSeconds(int inSystemNow) {
        double perWorker = (double) inSystemNow / settings.workers();
        return Math.max(1, (long) Math.ceil(perWorker * meanServiceSeconds));
    }

    private void release() {
        inSystem.decrementAndGet();
    }

    /**
     * The deadline passed. A queued job is dropped and gives its place back; a running one is told to stop and
     * gives it back when it settles. Reading the state and then acting on it would let a worker start the job
     * in between and both paths would give the place back; one compare-and-set decides instead.
     */
    void expire(Job<?> job) {
        job.markDeadlinePassed();
        if (job.dropWhileQueued(JobState.TIMED_OUT)) {
            waiting.remove(job);
            release();
            job.future().completeExceptionally(new DeadlineExceededException(job.timeout()));
        } else if (job.state() == JobState.RUNNING) {
            job.token().cancel("deadline exceeded");
        }
    }

    private void work() {
        // a task may swallow the interrupt (a cancelled sleep), so the loop also watches the stopped flag
        while (!stopped && !Thread.currentThread().isInterrupted()) {
            Job<?> job;
            try {
                job = waiting.take(100, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                return;
            }
            if (job != null) {
                List<Job<?>> batch = gather(job);
                if (batch.size() == 1) {
                    run(job);
                } else {
                    runTogether(batch);
                }
            }
        }
    }

    /**
     * {@code first} and the waiting jobs that may share its run: same batch key, total weight within max-batch.
     * Waits up to max-batch-delay for more, but only while jobs have lately been arriving concurrently: a lone
     * client's job starts at once.
     */
    private List<Job<?>> gather(Job<?> first) {
        if (settings.maxBatch() <= 1 || !(first.task() instanceof BatchableTask<?> task) || task.batchKey() == null
                || first.state() != JobState.QUEUED) {
            return List.of(first);
        }
        Object key = task.batchKey();
        int weight = task.batchWeight();
        List<Job<?>> batch = new ArrayList<>();
        batch.add(first);
        long now = System.nanoTime();
        boolean company = now - lastConcurrentNanos < CONCURRENCY_MEMORY_NANOS;
        long until = now + (company ? settings.maxBatchDelay().toNanos() : 0);
        while (weight < settings.maxBatch()) {
            for (Job<?> candidate : waiting.sameLane(first)) {
                // a candidate that cannot start yet has no batch key to compare (its model may not be loaded)
                if (candidate.task() instanceof BatchableTask<?> other && other.canStart()
                        && key.equals(other.batchKey())
                        && weight + other.batchWeight() <= settings.maxBatch() && waiting.remove(candidate)) {
                    batch.add(candidate);
                    weight += other.batchWeight();
                }
            }
            long left = until - System.nanoTime();
            if (left <= 0 || stopped) {
                break;
            }
            LockSupport.parkNanos(Math.min(left, 1_000_000));
        }
        return batch;
    }

    /** Takes a waiting job onto the worker; false when it was cancelled, expired or waited too long meanwhile. */
    boolean begin(Job<?> job) {
        if (job.state() != JobState.QUEUED) {
            return false;        // cancelled or expired while queued; already released
        }
        Duration waited = Duration.ofNanos(System.nanoTime() - job.readySinceNanos());
        if (waited.compareTo(settings.queueTimeout()) > 0) {
            if (job.dropWhileQueued(JobState.TIMED_OUT)) {
                release();
                job.future().completeExceptionally(new QueueTimeoutException(waited, settings.queueTimeout()));
            }
            return false;
        }
        if (!job.start()) {
            return false;
        }
        running.incrementAndGet();
        active.add(job);
        return true;
    }

    private <T> void run(Job<T> job) {
        if (!begin(job)) {
            return;
        }
        long start = System.nanoTime();
        T value = null;
        Throwable error = null;
        try {
            value = job.task().run(job.token(), job.listener());
        } catch (Exception | Error e) {
            error = e;
        }
        served(System.nanoTime() - start, 1);
        settle(job, value, error);
    }

    private void runTogether(List<Job<?>> batch) {
        List<BatchMember<?>> members = new ArrayList<>(batch.size());
        for (Job<?> job : batch) {
            if (begin(job)) {
                members.add(new BatchMember<>(job, this));
            }
        }
        if (members.isEmpty()) {
            return;
        }
        if (members.size() > 1) {
            batchesRun.incrementAndGet();
            jobsBatched.addAndGet(members.size());
        }
        long start = System.nanoTime();
        try {
            members.get(0).task().runTogether(members);
        } catch (Exception | Error e) {
            members.forEach(m -> m.fail(e));
        } finally {
            for (BatchMember<?> m : members) {
                m.fail(new IllegalStateException("the batch ended without an outcome for this job"));
            }
            served(System.nanoTime() - start, members.size());
        }
    }

    private void served(long nanos, int jobs) {
        // per job: a batch of k that took t serves each in t / k as far as the queue's throughput goes
        double seconds = nanos / 1e9 / jobs;
        meanServiceSeconds = 0.8 * meanServiceSeconds + 0.2 * seconds;
    }

    /**
     * Finishes a started job with its value or failure. Its place is given back before its result is published,
     * so a client that submits again as soon as it has its answer finds the place free (and is not taken for a
     * concurrent client by the batching).
     */
    <T> void settle(Job<T> job, T value, Throwable error) {
        Runnable publish;
        if (error == null) {
            publish = job.finish(JobState.SUCCEEDED) ? () -> job.future().complete(value) : () -> { };
        } else if (job.abortCause() != null) {
            // stopped by the service (whatever the task threw on the way out: a cancellation, an interrupt)
            job.finish(JobState.CANCELLED);
            publish = () -> job.future().completeExceptionally(job.abortCause());
        } else if (error instanceof GenerationCancelledException e) {
            if (job.deadlinePassed()) {
                job.finish(JobState.TIMED_OUT);
                publish = () -> job.future().completeExceptionally(new DeadlineExceededException(job.timeout()));
            } else {
                job.finish(JobState.CANCELLED);
                publish = () -> job.future().completeExceptionally(new CancellationException(e.getMessage()));
            }
        } else {
            job.finish(JobState.FAILED);
            publish = () -> job.future().completeExceptionally(error);
            if (!(error instanceof IllegalArgumentException)) {
                LOG.log(Level.ERROR, "job " + job.id() + " failed", error);
            }
        }
        active.remove(job);
        running.decrementAndGet();
        release();
        publish.run();
    }
}
