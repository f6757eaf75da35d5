package io.qwenimage.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.exc.InvalidDefinitionException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import io.qwenimage.errors.ErrorCatalogue;
import io.qwenimage.errors.ErrorCode;
import io.qwenimage.errors.Problem;
import io.qwenimage.http.ErrorEnvelope;
import jakarta.ws.rs.NotAllowedException;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.NotSupportedException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;
import org.jboss.resteasy.reactive.server.core.multipart.MultiPartParserDefinition;

/**
 * Exceptions become JAX-RS answers here, in the seed's error envelope (OpenAI's on the {@code /v1/} routes): one
 * exception mapper for every exception, which tells apart what only reading a request can fail with and hands
 * everything else to {@link ErrorCatalogue}, the table that asynchronous jobs and the Vert.x handlers use too.
 * README.md, "Errors", lists every status and code (ErrorMappingHostileTest and ErrorCatalogueTest hold them
 * together).
 */
public class ErrorMapper {

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
     * The answer for {@code failure}: what only a request can fail with (its body unreadable as JSON, a form over
     * the limits, JAX-RS' own refusals) is told apart here; everything else is the catalogue's
     * ({@link ErrorCatalogue}).
     */
    static Response answer(Throwable failure, ContainerRequestContext request) {
        Throwable t = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause()
                : failure;
        return envelope(requestProblem(t).orElseGet(() -> ErrorCatalogue.problemOf(failure)), request);
    }

    private static Optional<Problem> requestProblem(Throwable t) {
        // the form's reading stopped mid-body: the connection cannot carry another request (HttpGuards closes it)
        if (t instanceof MultiPartParserDefinition.FileTooLargeException) {
            return Optional.of(ErrorCode.FILE_TOO_LARGE.problem("an uploaded file is larger than this "
                    + "service accepts").withHeader("Connection", "close"));
        } else if (formPartLimit(t)) {
            return Optional.of(ErrorCode.TOO_MANY_PARTS.problem("the form has more parts than this "
                    + "service reads (" + t.getMessage() + ")").withHeader("Connection", "close"));
        } else if (t instanceof JsonProcessingException e) {
            return Optional.of(malformedJson(e));
        } else if (t instanceof WebApplicationException e) {
            return Optional.of(webApplication(e));
        }
        return Optional.empty();
    }

    /**
     * RESTEasy Reactive refuses a form of more than {@code quarkus.http.limits.max-parameters} parts with a bare
     * RuntimeException whose message is all that says so.
     */
    private static boolean formPartLimit(Throwable t) {
        return t.getClass() == RuntimeException.class && t.getMessage() != null
                && t.getMessage().matches("Param limit of \\d+ was exceeded");
    }

    private static Problem malformedJson(JsonProcessingException e) {
        String field = e instanceof MismatchedInputException m && !m.getPath().isEmpty()
                ? m.getPath().get(m.getPath().size() - 1).getFieldName() : null;
        String message = field != null ? "field '" + field + "' has the wrong type"
                : e instanceof StreamConstraintsException c ? "the JSON body exceeds a limit: " + c.getOriginalMessage()
                : e.getOriginalMessage() != null && e.getOriginalMessage().startsWith("Duplicate field")
                ? "the JSON body repeats a field: " + e.getOriginalMessage()
                : e.getOriginalMessage() != null && e.getOriginalMessage().startsWith("Trailing token")
                ? "the JSON body has more after its end: " + e.getOriginalMessage()
                : "the body is not valid JSON";
        return field != null ? ErrorCode.VALIDATION_ERROR.problem(message, Map.of("field", field))
                : ErrorCode.MALFORMED_JSON.problem(message);
    }

    private static Problem webApplication(WebApplicationException e) {
        if (e.getCause() instanceof JsonProcessingException json) {
            return malformedJson(json);
        }
        int status = e.getResponse().getStatus();
        ErrorCode code = e instanceof NotSupportedException ? ErrorCode.UNSUPPORTED_MEDIA_TYPE
                : e instanceof NotFoundException ? ErrorCode.NOT_FOUND
                : e instanceof NotAllowedException ? ErrorCode.METHOD_NOT_ALLOWED
                : status == 413 ? ErrorCode.FILE_TOO_LARGE : null;
        // JAX-RS' other refusals keep their own status, under a code that names it
        return code != null ? code.problem(e.getMessage())
                : new Problem(status, "HTTP_" + status, status < 500 ? "validation" : "server", e.getMessage(),
                Map.of(), null, Map.of());
    }

    /** {@code problem} in the seed's envelope (OpenAI's on the {@code /v1/} routes), with its headers. */
    static Response envelope(Problem problem, ContainerRequestContext request) {
        return envelope(problem, request == null ? null : request.getUriInfo().getPath(),
                request == null ? null : request.getMethod());
    }

    /** {@link #answer(Throwable, ContainerRequestContext)} for a request to {@code path}, known without its context. */
    static Response answer(Throwable failure, String path, String method) {
        Throwable t = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause()
                : failure;
        return envelope(requestProblem(t).orElseGet(() -> ErrorCatalogue.problemOf(failure)), path, method);
    }

    private static Response envelope(Problem problem, String path, String method) {
        Object body = ErrorEnvelope.body(problem, ErrorEnvelope.openAiPath(path), path, method);
        Response.ResponseBuilder b = Response.status(problem.status()).type(MediaType.APPLICATION_JSON).entity(body);
        if (problem.retryAfterSeconds() != null) {
            b.header("Retry-After", problem.retryAfterSeconds());
        }
        problem.headers().forEach(b::header);
        return b.build();
    }
}
