package io.qwenimage.service;

import io.qwenimage.jobs.JobRecord;
import java.nio.ByteBuffer;

/**
 * A job's status document as its reader gets it: built now for a job running on this replica, or the stored
 * record, whose shared bytes are answered as they are (never parsed and written again per reader).
 */
public final class JobAnswer {

    private final JobStatus live;
    private final JobRecord stored;

    private JobAnswer(JobStatus live, JobRecord stored) {
        this.live = live;
        this.stored = stored;
    }

    static JobAnswer live(JobStatus status) {
        return new JobAnswer(status, null);
    }

    static JobAnswer stored(JobRecord record) {
        return new JobAnswer(null, record);
    }

    /** {@code queued}, {@code running}, {@code succeeded}, {@code failed} or {@code cancelled}. */
    public String status() {
        return live != null ? live.status() : stored.status();
    }

    /** True once the job will not change any more. */
    public boolean terminal() {
        return JobStatus.terminal(status());
    }

    /** True when the document is the stored bytes ({@link #bytes()}), not a live one ({@link #live()}). */
    public boolean isStored() {
        return stored != null;
    }

    /** The live document, or null for a stored one. */
    public JobStatus live() {
        return live;
    }

    /** A read-only view of the stored document's JSON bytes, shared by every reader. */
    public ByteBuffer bytes() {
        return stored.document().view();
    }

    /** The stored document's JSON. */
    public String text() {
        return stored.document().text();
    }

    JobRecord record() {
        return stored;
    }
}
