package io.qwenimage.jobs;

/**
 * What every replica may know about an asynchronous job: whose it is, where it runs, its status and its status
 * document (the JSON that {@code GET /jobs/{id}} answers, with the result or error once finished).
 *
 * @param id       job id
 * @param owner    API key id or client address that submitted it; nobody else sees it
 * @param replica  the replica whose queue holds it (the one a cancel must reach)
 * @param status   queued, running, succeeded, failed or cancelled
 * @param document the status document, JSON, serialized once and shared by its readers
 */
public record JobRecord(String id, String owner, String replica, String status, JobDocument document) {

    public JobRecord(String id, String owner, String replica, String status, String document) {
        this(id, owner, replica, status, JobDocument.of(document));
    }

    /** True once the job will not change any more. */
    public boolean terminal() {
        return status.equals("succeeded") || status.equals("failed") || status.equals("cancelled");
    }

    /** Bytes the record takes (its document, mostly the base64 pictures). */
    public long bytes() {
        return document.size();
    }
}
