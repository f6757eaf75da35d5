package io.qwenimage.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.exc.InvalidDefinitionException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import io.qwenimage.engine.image.ImageTooLargeException;
import io.qwenimage.engine.image.InvalidImageException;
import io.qwenimage.engine.image.UnsupportedImageFormatException;
import io.qwenimage.jobs.DeadlineExceededException;
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

/**
 * The one place where exceptions become HTTP answers in the seed's error envelope. 500 is reserved for genuine
 * engine faults; everything a client can cause has its own status and code.
 */
public class ErrorMapper {

    private static final Logger LOG = Logger.getLogger(ErrorMapper.class);

    @ServerExceptionMapper
    public Response api(ApiException e, ContainerRequestContext request) {
        return envelope(e.status(), e.code(), e.category(), e.getMessage(), e.details(), request, null);
    }

    @ServerExceptionMapper
    public Response queueFull(QueueFullException e, ContainerRequestContext request) {
        return envelope(503, "SERVICE_OVERLOADED", "capacity", e.getMessage(),
                Map.of("retry_after", e.retryAfterSeconds()), request, e.retryAfterSeconds());
    }

    @ServerExceptionMapper
    public Response rateLimited(RateLimitExceededException e, ContainerRequestContext request) {
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

    @ServerExceptionMapper
    public Response tooManyJobs(TooManyJobsException e, ContainerRequestContext request) {
        return envelope(429, "TOO_MANY_JOBS", "rate_limit", e.getMessage(), Map.of("max_jobs_per_key", e.max()),
                request, 5L);
    }

    @ServerExceptionMapper
    public Response queueTimeout(QueueTimeoutException e, ContainerRequestContext request) {
        return envelope(503, "QUEUE_TIMEOUT", "capacity", e.getMessage(), Map.of(), request, 5L);
    }

    @ServerExceptionMapper
    public Response deadline(DeadlineExceededException e, ContainerRequestContext request) {
        return envelope(504, "GATEWAY_TIMEOUT", "timeout", e.getMessage(), Map.of(), request, null);
    }

    @ServerExceptionMapper
    public Response requestTimeout(org.eclipse.microprofile.faulttolerance.exceptions.TimeoutException e,
                                   ContainerRequestContext request) {
        return envelope(504, "GATEWAY_TIMEOUT", "timeout", "the request did not finish within its deadline and "
                + "was stopped", Map.of(), request, null);
    }

    @ServerExceptionMapper
    public Response shuttingDown(ShuttingDownException e, ContainerRequestContext request) {
        return envelope(503, "SHUTTING_DOWN", "availability", e.getMessage(), Map.of(), request, 5L);
    }

    @ServerExceptionMapper
    public Response notReady(ServiceNotReadyException e, ContainerRequestContext request) {
        return envelope(503, "MODEL_NOT_LOADED", "availability", e.getMessage(), Map.of(), request, 10L);
    }

    @ServerExceptionMapper
    public Response storeDown(io.qwenimage.jobs.JobStoreUnavailableException e, ContainerRequestContext request) {
        return envelope(503, "JOB_STORE_UNAVAILABLE", "availability", "asynchronous jobs are unavailable: the shared "
                + "job store cannot be reached (synchronous generation still works)", Map.of(), request, 5L);
    }

    @ServerExceptionMapper
    public Response tooLarge(ImageTooLargeException e, ContainerRequestContext request) {
        return envelope(413, "FILE_TOO_LARGE", "validation", e.getMessage(),
                Map.of("width", e.width(), "height", e.height(), "max_pixels", e.maxPixels()), request, null);
    }

    @ServerExceptionMapper
    public Response unsupportedImage(UnsupportedImageFormatException e, ContainerRequestContext request) {
        return envelope(415, "UNSUPPORTED_MEDIA_TYPE", "validation", e.getMessage(),
                Map.of("field", "image", "supported", List.of("png", "jpeg", "webp", "bmp", "gif")), request, null);
    }

    @ServerExceptionMapper
    public Response badImage(InvalidImageException e, ContainerRequestContext request) {
        return envelope(400, "INVALID_IMAGE", "validation", e.getMessage(), Map.of("field", "image"), request, null);
    }

    @ServerExceptionMapper
    public Response cancelled(CancellationException e, ContainerRequestContext request) {
        return envelope(499, "CANCELLED", "client", "the request was cancelled: " + e.getMessage(), Map.of(),
                request, null);
    }

    @ServerExceptionMapper
    public Response mismatched(MismatchedInputException e, ContainerRequestContext request) {
        return malformedJson(e, request);
    }

    @ServerExceptionMapper
    public Response badDefinition(InvalidDefinitionException e, ContainerRequestContext request) {
        return malformedJson(e, request);
    }

    @ServerExceptionMapper
    public Response unreadableBody(IOException e, ContainerRequestContext request) {
        return envelope(400, "INVALID_REQUEST", "validation", "the request body could not be read ("
                + e.getMessage() + "); send a complete JSON body or multipart form", Map.of(), request, null);
    }

    @ServerExceptionMapper
    public Response malformedJson(JsonProcessingException e, ContainerRequestContext request) {
        String field = e instanceof MismatchedInputException m && !m.getPath().isEmpty()
                ? m.getPath().get(m.getPath().size() - 1).getFieldName() : null;
        String message = field != null ? "field '" + field + "' has the wrong type"
                : e instanceof StreamConstraintsException c ? "the JSON body exceeds a limit: " + c.getOriginalMessage()
                : e.getOriginalMessage() != null && e.getOriginalMessage().startsWith("Duplicate field")
                ? "the JSON body repeats a field: " + e.getOriginalMessage()
                : "the body is not valid JSON";
        Map<String, Object> details = field != null ? Map.of("field", field) : Map.of();
        return envelope(field != null ? 422 : 400, "VALIDATION_ERROR", "validation", message, details, request,
                null);
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e, ContainerRequestContext request) {
        int status = e.getResponse().getStatus();
        String code = e instanceof NotSupportedException ? "UNSUPPORTED_MEDIA_TYPE"
                : e instanceof NotFoundException ? "NOT_FOUND"
                : e instanceof NotAllowedException ? "METHOD_NOT_ALLOWED"
                : status == 413 ? "FILE_TOO_LARGE" : "HTTP_" + status;
        Throwable cause = e.getCause();
        if (cause instanceof JsonProcessingException json) {
            return malformedJson(json, request);
        }
        return envelope(status, code, status < 500 ? "validation" : "server", e.getMessage(), Map.of(), request, null);
    }

    @ServerExceptionMapper
    public Response unexpected(Exception e, ContainerRequestContext request) {
        Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
        if (cause instanceof ApiException api) {
            return api(api, request);
        }
        if (cause instanceof IOException io) {
            return unreadableBody(io, request);
        }
        if (cause instanceof IllegalArgumentException iae) {
            return envelope(422, "VALIDATION_ERROR", "validation", iae.getMessage(), Map.of(), request, null);
        }
        LOG.errorf(e, "generation failed: %s", e.getMessage());
        return envelope(500, "INFERENCE_ERROR", "server", "the generation failed: " + cause.getMessage(), Map.of(),
                request, null);
    }

    /**
     * The answer a client would have got for {@code failure}: used for asynchronous jobs, whose failures happen
     * after their request was answered.
     */
    Response of(Throwable failure) {
        Throwable t = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause()
                : failure;
        if (t instanceof ApiException e) {
            return api(e, null);
        } else if (t instanceof QueueFullException e) {
            return queueFull(e, null);
        } else if (t instanceof QueueTimeoutException e) {
            return queueTimeout(e, null);
        } else if (t instanceof DeadlineExceededException e) {
            return deadline(e, null);
        } else if (t instanceof ShuttingDownException e) {
            return shuttingDown(e, null);
        } else if (t instanceof CancellationException e) {
            return cancelled(e, null);
        } else if (t instanceof io.qwenimage.jobs.JobStoreUnavailableException e) {
            return storeDown(e, null);
        } else if (t instanceof io.qwenimage.engine.GenerationCancelledException e) {
            return cancelled(new CancellationException(e.getMessage()), null);
        } else if (t instanceof Exception e) {
            return unexpected(e, null);
        }
        return unexpected(new IllegalStateException(t), null);
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
