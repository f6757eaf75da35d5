package io.qwenimage.jobs;

import java.time.Duration;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Where asynchronous job records live, so that any replica can answer for any job: {@link InMemoryJobStore} for
 * one instance, a Redis store when several replicas share the jobs ({@code qwen.jobs.store=redis}). Records of
 * finished jobs are kept for a time to live; cancel requests reach the replica that runs the job.
 *
 * <p>Every method may throw {@link JobStoreUnavailableException} when the store cannot be reached.
 */
public interface JobStore {

    /** "memory" or "redis". */
    String kind();

    /** Saves a job's record, replacing the previous one; kept for {@code ttl} after this save. */
    void save(JobRecord record, Duration ttl);

    /** The record of job {@code id}, if kept. */
    Optional<JobRecord> find(String id);

    /**
     * True when {@code owner}'s job {@code id} existed and its record was dropped (evicted for space or past its
     * time to live), as far as the store still remembers: answered 410 rather than 404. False for anyone else.
     */
    boolean expired(String owner, String id);

    /**
     * Binds {@code owner}'s idempotency key to job {@code id} unless it is bound already.
     *
     * @return the id bound before (the caller returns that job), or empty when this call bound {@code id}
     */
    Optional<String> bindIdempotencyKey(String owner, String key, String id, Duration ttl);

    /** The job {@code owner}'s idempotency key is bound to, if bound and not expired (a replay needs no submit). */
    Optional<String> boundJob(String owner, String key);

    /** Asks the replica running job {@code id} to cancel it. */
    void requestCancel(String id);

    /** True when a cancel was requested for job {@code id} (the polled path, for requests sent while away). */
    boolean cancelRequested(String id);

    /** Calls {@code listener} with the job id of each cancel request as it comes (the fast path). */
    void onCancelRequest(Consumer<String> listener);

    /** Whether the store answered its last call (for health and metrics; cheap, no round trip). */
    boolean available();
}
