package io.qwenimage.service;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.qwenimage.http.ErrorEnvelope;

/**
 * An asynchronous job's status document, as {@code GET /jobs/{id}} answers it and as it is stored for every replica
 * to read: queued (with its position and ETA), running (step, total, ETA), succeeded (with the result), failed or
 * cancelled (with the error and the status a synchronous request would have got). Fields a state lacks are absent.
 * Unknown fields are ignored when it is read back, so replicas of different versions share one store.
 *
 * @param id         the job's id
 * @param status     {@code queued}, {@code running}, {@code succeeded}, {@code failed} or {@code cancelled}
 * @param created    when it was submitted (ISO-8601)
 * @param statusUrl  where to poll it
 * @param replica    the replica that runs it
 * @param position   its place in that replica's queue, while queued
 * @param etaSeconds the estimated seconds to its end, while queued or running
 * @param step       the denoising step done, while running
 * @param totalSteps the steps it runs (image-to-image: fewer than asked)
 * @param result     the native body of a succeeded job
 * @param error      why it failed or was cancelled
 * @param httpStatus the status a synchronous request would have got for that error
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record JobStatus(String id, String status, String created, @JsonProperty("status_url") String statusUrl,
                        String replica, Integer position, @JsonProperty("eta_seconds") Double etaSeconds,
                        Integer step, @JsonProperty("total_steps") Integer totalSteps, ImageResponse result,
                        ErrorEnvelope.Error error, @JsonProperty("http_status") Integer httpStatus) {

    /** True once the job will not change any more. */
    public boolean terminal() {
        return terminal(status);
    }

    static boolean terminal(String status) {
        return status.equals("succeeded") || status.equals("failed") || status.equals("cancelled");
    }

    /** The same job failed with {@code failure} instead of its result (which was too large to keep). */
    JobStatus failedWith(ErrorEnvelope.Error failure, int failureStatus) {
        return new JobStatus(id, "failed", created, statusUrl, replica, position, etaSeconds, step, totalSteps, null,
                failure, failureStatus);
    }
}
