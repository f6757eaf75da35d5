package io.qwenimage.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.exc.InvalidDefinitionException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import io.qwenimage.engine.GenerationCancelledException;
import io.qwenimage.engine.image.DecodeBudgetExceededException;
import io.qwenimage.engine.image.ImageTooLargeException;
import io.qwenimage.engine.image.InvalidImageException;
import io.qwenimage.engine.image.UnsupportedImageFormatException;
import io.qwenimage.engine.scheduler.ScheduleRefusedException;
import io.qwenimage.http.ErrorEnvelope;
import io.qwenimage.jobs.DeadlineExceededException;
import io.qwenimage.jobs.JobStoreUnavailableException;
import io.qwenimage.jobs.QueueFullException;
import io.qwenimage.jobs.QueueTimeoutException;
import io.qwenimage.jobs.ShuttingDownException;
import io.qwenimage.security.RateLimitDecision;
import io.qwenimage.security.RateLimitExceededException;
import io.qwenimage.security.TooManyJobsException;
import io.qwenimage.service.ServiceNotReadyException;
import jakarta.ws.rs.NotAllowedException;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.NotSupportedException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;
import org.jboss.resteasy.reactive.server.core.multipart.MultiPartParserDefinition;

/**
 * The one place where exceptions become HTTP answers in the seed's error envelope: {@link #answer} is the only
 * table, used for requests (one exception mapper for every exception) and for asynchronous jobs, whose failures
 * happen after their request was answered. 500 is reserved for genuine engine faults; everything a client can
 * cause has its own status and code (README.md, "Errors", lists them; ErrorMappingHostileTest holds the two
 * together).
 */
public class ErrorMapper {

    private static final Logger LOG = Logger.getLogger(ErrorMapper.class);

    /** Seconds after which a refused request may well succeed: a short wait for capacity to free. */
    private static final long SHORT_RETRY = 5L;

    @ServerExceptionMapper
    public Response map(Exception e, ContainerRequestContext request) {
        return answer(e, request);
    }

    // Quarkus brings mappers of its own for these (plain 400s without the envelope); an entry point as specific as
    // theirs wins over them. Each only hands over to the table.

    @ServerExceptionMapper
    public Response mismatched(MismatchedInputException e, ContainerRequestContext request) {
        return answer(e, request);
    }

    @ServerExceptionMapper
    public Response badDefinition(InvalidDefinitionException e, ContainerRequestContext request) {
        return answer(e, request);
    }

    @ServerExceptionMapper
    public Response malformed(JsonProcessingException e, ContainerRequestContext request) {
        return answer(e, request);
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e, ContainerRequestContext request) {
        return answer(e, request);
    }

    /** The answer a client would have got for {@code failure}, for a job that failed after its request ended. */
    Response of(Throwable failure) {
        return answer(failure, null);
    }

    /**
     * The table. Order matters where types extend each other: the more specific first (the image exceptions and
     * Jackson's are IllegalArgumentException and IOException).
     */
    static Response answer(Throwable failure, ContainerRequestContext request) {
        Throwable t = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause()
                : failure;
        if (t instanceof ApiException e) {
            return envelope(e.status(), e.code(), e.category(), e.getMessage(), e.details(), request, null);
        } else if (t instanceof QueueFullException e) {
            return envelope(503, "SERVICE_OVERLOADED", "capacity", e.getMessage(),
                    Map.of("retry_after", e.retryAfterSeconds()), request, e.retryAfterSeconds());
        } else if (t instanceof DecodeBudgetExceededException e) {
            return envelope(503, "DECODE_BUDGET_EXCEEDED", "capacity", e.getMessage(),
                    Map.of("max_decoding_bytes", e.capacity(), "retry_after", PictureIntake.RETRY_AFTER_SECONDS),
                    request, PictureIntake.RETRY_AFTER_SECONDS);
        } else if (t instanceof RateLimitExceededException e) {
            return rateLimited(e, request);
        } else if (t instanceof TooManyJobsException e) {
            return envelope(429, "TOO_MANY_JOBS", "rate_limit", e.getMessage(),
                    Map.of("max_jobs_per_key", e.max()), request, SHORT_RETRY);
        } else if (t instanceof QueueTimeoutException e) {
            return envelope(503, "QUEUE_TIMEOUT", "capacity", e.getMessage(), Map.of(), request, SHORT_RETRY);
        } else if (t instanceof DeadlineExceededException e) {
            return envelope(504, "GATEWAY_TIMEOUT", "timeout", e.getMessage(), Map.of(), request, null);
        } else if (t instanceof org.eclipse.microprofile.faulttolerance.exceptions.TimeoutException) {
            return envelope(504, "GATEWAY_TIMEOUT", "timeout", "the request did not finish within its deadline and "
                    + "was stopped", Map.of(), request, null);
        } else if (t instanceof ShuttingDownException e) {
            return envelope(503, "SHUTTING_DOWN", "availability", e.getMessage(), Map.of(), request, SHORT_RETRY);
        } else if (t instanceof ServiceNotReadyException e) {
            return envelope(503, "MODEL_NOT_LOADED", "availability", e.getMessage(), Map.of(), request, 10L);
        } else if (t instanceof JobStoreUnavailableException) {
            return envelope(503, "JOB_STORE_UNAVAILABLE", "availability", "asynchronous jobs are unavailable: the "
                    + "shared job store cannot be reached (synchronous generation still works)", Map.of(), request,
                    SHORT_RETRY);
        } else if (t instanceof ImageTooLargeException e) {
            return envelope(413, "FILE_TOO_LARGE", "validation", e.getMessage(),
                    Map.of("width", e.width(), "height", e.height(), "max_pixels", e.maxPixels()), request, null);
        } else if (t instanceof UnsupportedImageFormatException e) {
            return envelope(415, "UNSUPPORTED_MEDIA_TYPE", "validation", e.getMessage(),
                    Map.of("field", "image", "supported", List.of("png", "jpeg", "webp", "bmp", "gif")), request,
                    null);
        } else if (t instanceof InvalidImageException e) {
            return envelope(400, "INVALID_IMAGE", "validation", e.getMessage(), Map.of("field", "image"), request,
                    null);
        } else if (t instanceof CancellationException || t instanceof GenerationCancelledException) {
            return envelope(499, "CANCELLED", "client", "the request was cancelled: " + t.getMessage(), Map.of(),
                    request, null);
        } else if (t instanceof MultiPartParserDefinition.FileTooLargeException) {
            return envelope(413, "FILE_TOO_LARGE", "validation", "an uploaded file is larger than this service "
                    + "accepts", Map.of(), request, null);
        } else if (formPartLimit(t)) {
            return envelope(413, "TOO_MANY_PARTS", "validation", "the form has more parts than this service reads ("
                    + t.getMessage() + ")", Map.of(), request, null);
        } else if (t instanceof JsonProcessingException e) {
            return malformedJson(e, request);
        } else if (t instanceof IOException e) {
            return envelope(400, "INVALID_REQUEST", "validation", "the request body could not be read ("
                    + e.getMessage() + "); send a complete JSON body or multipart form", Map.of(), request, null);
        } else if (t instanceof WebApplicationException e) {
            return webApplication(e, request);
        } else if (t instanceof ScheduleRefusedException e) {
            return envelope(422, "VALIDATION_ERROR", "validation", e.getMessage(), Map.of("field", e.field()),
                    request, null);
        } else if (t instanceof IllegalArgumentException e) {
            return envelope(422, "VALIDATION_ERROR", "validation", e.getMessage(), Map.of(), request, null);
        }
        LOG.errorf(failure, "generation failed: %s", failure.getMessage());
        return envelope(500, "INFERENCE_ERROR", "server", "the generation failed: " + t.getMessage(), Map.of(),
                request, null);
    }

    /**
     * RESTEasy Reactive refuses a form of more than {@code quarkus.http.limits.max-parameters} parts with a bare
     * RuntimeException whose message is all that says so.
     */
    private static boolean formPartLimit(Throwable t) {
        return t.getClass() == RuntimeException.class && t.getMessage() != null
                && t.getMessage().matches("Param limit of \\d+ was exceeded");
    }

    private static Response rateLimited(RateLimitExceededException e, ContainerRequestContext request) {
        RateLimitDecision d = e.decision();
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("requests_per_minute", e.settings().perMinute());
        details.put("requests_per_hour", e.settings().perHour());
        details.put("burst", e.settings().burst());
        details.put("retry_after", d.retryAfterSeconds());
        Response r = envelope(429, "RATE_LIMIT_EXCEEDED", "rate_limit", e.getMessage(), details, request,
                d.retryAfterSeconds());
        r.getHeaders().putSingle("X-RateLimit-Limit", d.limit());
        r.getHeaders().putSingle("X-RateLimit-Remaining", 0);
        r.getHeaders().putSingle("X-RateLimit-Reset", d.resetSeconds());
        return r;
    }

    private static Response malformedJson(JsonProcessingException e, ContainerRequestContext request) {
        String field = e instanceof MismatchedInputException m && !m.getPath().isEmpty()
                ? m.getPath().get(m.getPath().size() - 1).getFieldName() : null;
        String message = field != null ? "field '" + field + "' has the wrong type"
                : e instanceof StreamConstraintsException c ? "the JSON body exceeds a limit: " + c.getOriginalMessage()
                : e.getOriginalMessage() != null && e.getOriginalMessage().startsWith("Duplicate field")
                ? "the JSON body repeats a field: " + e.getOriginalMessage()
                : e.getOriginalMessage() != null && e.getOriginalMessage().startsWith("Trailing token")
                ? "the JSON body has more after its end: " + e.getOriginalMessage()
                : "the body is not valid JSON";
        Map<String, Object> details = field != null ? Map.of("field", field) : Map.of();
        return envelope(field != null ? 422 : 400, "VALIDATION_ERROR", "validation", message, details, request,
                null);
    }

    private static Response webApplication(WebApplicationException e, ContainerRequestContext request) {
        if (e.getCause() instanceof JsonProcessingException json) {
            return malformedJson(json, request);
        }
        int status = e.getResponse().getStatus();
        String code = e instanceof NotSupportedException ? "UNSUPPORTED_MEDIA_TYPE"
                : e instanceof NotFoundException ? "NOT_FOUND"
                : e instanceof NotAllowedException ? "METHOD_NOT_ALLOWED"
                : status == 413 ? "FILE_TOO_LARGE" : "HTTP_" + status;
        return envelope(status, code, status < 500 ? "validation" : "server", e.getMessage(), Map.of(), request, null);
    }

    static Response envelope(int status, String code, String category, String message, Map<String, Object> extra,
                             ContainerRequestContext request, Long retryAfter) {
        Map<String, Object> details = new LinkedHashMap<>(extra);
        if (request != null) {
            details.put("path", request.getUriInfo().getPath());
            details.put("method", request.getMethod());
        }
        details.put("timestamp", Instant.now().toString());
        Object body = request != null && ErrorEnvelope.openAiPath(request.getUriInfo().getPath())
                ? ErrorEnvelope.openAi(status, code, message, details)
                : ErrorEnvelope.of(code, message, category, details);
        Response.ResponseBuilder b = Response.status(status).type(MediaType.APPLICATION_JSON).entity(body);
        if (retryAfter != null) {
            b.header("Retry-After", retryAfter);
        }
        return b.build();
    }
}
