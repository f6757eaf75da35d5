package io.qwenimage.jobs;

import io.qwenimage.engine.GenerationCancelledException;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Bounded admission in front of a fixed pool of worker threads.
 *
 * <p>Admission is one atomic step on a counter of jobs in the system (waiting + running): at most
 * {@code capacity + workers} at a time, so a full queue is refused at once and there is no check-then-offer race.
 * Each job has a deadline timer: a queued job past it is dropped; a running one has its cancellation token fired
 * and stops at its next step, freeing the worker. A job that waited longer than the queue timeout is dropped
 * when a worker picks it up.
 */
public final class JobQueue implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(JobQueue.class.getName());

    private final QueueSettings settings;
    private final LinkedBlockingQueue<Job<?>> waiting = new LinkedBlockingQueue<>();
    private final AtomicInteger inSystem = new AtomicInteger();
    private final AtomicInteger running = new AtomicInteger();
    private final ScheduledExecutorService timers;
    private final List<Thread> workers = new ArrayList<>();
    private final List<Job<?>> active = new java.util.concurrent.CopyOnWriteArrayList<>();
    private volatile boolean draining;
    private volatile boolean stopped;
    private volatile double meanServiceSeconds = 1.0;

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
                break;
            }
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

    /** Jobs waiting for a worker. */
    public int queued() {
        return waiting.size();
    }

    /** 1 for the next job a worker takes, 2 for the one after, ...; 0 when {@code job} is not waiting. */
    public int position(Job<?> job) {
        int i = 1;
        for (Job<?> waitingJob : waiting) {
            if (waitingJob == job) {
                return i;
            }
            i++;
        }
        return 0;
    }

    /** Mean time a job spends on a worker, recently (seconds). */
    public double meanServiceSeconds() {
        return meanServiceSeconds;
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
     * Cancels whatever is left and stops the workers, waiting (up to 10 s) until none is inside a job any more,
     * so that the caller may then close the model the workers were using.
     */
    @Override
    public void close() {
        draining = true;
        for (Job<?> j : new ArrayList<>(waiting)) {
            j.cancel("the service is shutting down");
        }
        active.forEach(j -> j.cancel("the service is shutting down"));
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

    private void expire(Job<?> job) {
        job.markDeadlinePassed();
        if (job.state() == JobState.QUEUED && job.finish(JobState.TIMED_OUT)) {
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
                job = waiting.poll(100, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                return;
            }
            if (job != null) {
                run(job);
            }
        }
    }

    private <T> void run(Job<T> job) {
        if (job.state() != JobState.QUEUED) {
            return;        // cancelled or expired while queued; already released
        }
        Duration waited = Duration.ofNanos(System.nanoTime() - job.submittedNanos());
        if (waited.compareTo(settings.queueTimeout()) > 0) {
            if (job.finish(JobState.TIMED_OUT)) {
                release();
                job.future().completeExceptionally(new QueueTimeoutException(waited, settings.queueTimeout()));
            }
            return;
        }
        if (!job.start()) {
            return;
        }
        running.incrementAndGet();
        active.add(job);
        long start = System.nanoTime();
        try {
            T value = job.task().run(job.token(), job::progress);
            if (job.finish(JobState.SUCCEEDED)) {
                job.future().complete(value);
            }
        } catch (GenerationCancelledException e) {
            if (job.deadlinePassed()) {
                job.finish(JobState.TIMED_OUT);
                job.future().completeExceptionally(new DeadlineExceededException(job.timeout()));
            } else {
                job.finish(JobState.CANCELLED);
                job.future().completeExceptionally(new CancellationException(e.getMessage()));
            }
        } catch (Exception | Error e) {
            job.finish(JobState.FAILED);
            job.future().completeExceptionally(e);
            if (!(e instanceof IllegalArgumentException)) {
                LOG.log(Level.ERROR, "job " + job.id() + " failed", e);
            }
        } finally {
            double seconds = (System.nanoTime() - start) / 1e9;
            meanServiceSeconds = 0.8 * meanServiceSeconds + 0.2 * seconds;
            active.remove(job);
            running.decrementAndGet();
            release();
        }
    }
}
