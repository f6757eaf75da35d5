package io.qwenimage.errors;

import io.qwenimage.engine.GenerationCancelledException;
import io.qwenimage.engine.image.DecodeBudgetExceededException;
import io.qwenimage.engine.image.ImageTooLargeException;
import io.qwenimage.engine.image.InvalidImageException;
import io.qwenimage.engine.image.UnsupportedImageFormatException;
import io.qwenimage.engine.scheduler.ScheduleRefusedException;
import io.qwenimage.jobs.DeadlineExceededException;
import io.qwenimage.jobs.JobStoreUnavailableException;
import io.qwenimage.jobs.QueueFullException;
import io.qwenimage.jobs.QueueTimeoutException;
import io.qwenimage.jobs.ShuttingDownException;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import org.jboss.logging.Logger;

/**
 * The one table from exceptions to {@link Problem}s, for requests and for asynchronous jobs alike (a job's failure
 * happens after its request was answered, and its document shows the same error). Exceptions that know their own
 * answer extend {@link ServiceException}; the plain-Java exceptions of {@code engine} and {@code jobs}, which must not
 * know about HTTP, are named here. 500 is reserved for genuine engine faults: everything a client can cause has its
 * own status and code.
 */
public final class ErrorCatalogue {

    private static final Logger LOG = Logger.getLogger(ErrorCatalogue.class);

    private ErrorCatalogue() {
    }

    /**
     * The answer for {@code failure} (a {@link CompletionException} is looked through). Order matters where types
     * extend each other: the image exceptions are IllegalArgumentExceptions.
     */
    public static Problem problemOf(Throwable failure) {
        Throwable t = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause()
                : failure;
        if (t instanceof ServiceException e) {
            return e.problem();
        } else if (t instanceof QueueFullException e) {
            return ErrorCode.SERVICE_OVERLOADED.problem(e.getMessage(), Map.of("retry_after", e.retryAfterSeconds()))
                    .retryAfter(e.retryAfterSeconds());
        } else if (t instanceof DecodeBudgetExceededException e) {
            return ErrorCode.DECODE_BUDGET_EXCEEDED.problem(e.getMessage(), Map.of("max_decoding_bytes",
                    e.capacity(), "retry_after", ErrorCode.DECODE_BUDGET_EXCEEDED.retryAfterSeconds()));
        } else if (t instanceof QueueTimeoutException e) {
            return ErrorCode.QUEUE_TIMEOUT.problem(e.getMessage());
        } else if (t instanceof DeadlineExceededException e) {
            return ErrorCode.GATEWAY_TIMEOUT.problem(e.getMessage());
        } else if (t instanceof ShuttingDownException e) {
            return ErrorCode.SHUTTING_DOWN.problem(e.getMessage());
        } else if (t instanceof JobStoreUnavailableException) {
            return ErrorCode.JOB_STORE_UNAVAILABLE.problem("asynchronous jobs are unavailable: the shared job store "
                    + "cannot be reached (synchronous generation still works)");
        } else if (t instanceof ImageTooLargeException e) {
            return ErrorCode.FILE_TOO_LARGE.problem(e.getMessage(), Map.of("width", e.width(), "height", e.height(),
                    "max_pixels", e.maxPixels()));
        } else if (t instanceof UnsupportedImageFormatException e) {
            return ErrorCode.UNSUPPORTED_MEDIA_TYPE.problem(e.getMessage(), Map.of("field", "image", "supported",
                    List.of("png", "jpeg", "webp", "bmp", "gif")));
        } else if (t instanceof InvalidImageException e) {
            return ErrorCode.INVALID_IMAGE.problem(e.getMessage(), Map.of("field", "image"));
        } else if (t instanceof CancellationException || t instanceof GenerationCancelledException) {
            return ErrorCode.CANCELLED.problem("the request was cancelled: " + t.getMessage());
        } else if (t instanceof IOException e) {
            return ErrorCode.INVALID_REQUEST.problem("the request body could not be read (" + e.getMessage()
                    + "); send a complete JSON body or multipart form");
        } else if (t instanceof ScheduleRefusedException e) {
            return ErrorCode.VALIDATION_ERROR.problem(e.getMessage(), Map.of("field", e.field()));
        } else if (t instanceof IllegalArgumentException e) {
            return ErrorCode.VALIDATION_ERROR.problem(e.getMessage());
        }
        LOG.errorf(failure, "generation failed: %s", failure.getMessage());
        return ErrorCode.INFERENCE_ERROR.problem("the generation failed: " + t.getMessage());
    }
}
