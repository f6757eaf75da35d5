package io.qwenimage.security;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.qwenimage.errors.ErrorCode;
import io.qwenimage.errors.Problem;
import io.qwenimage.http.ErrorEnvelope;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;

/**
 * Writes the error envelope from Vert.x handlers, where no JAX-RS exception mapper runs: authentication and
 * authorization failures, and bodies refused before they are read (with {@code Connection: close}, which
 * {@link HttpGuards} then closes).
 */
@ApplicationScoped
public class ErrorResponses {

    private final ObjectMapper json;

    public ErrorResponses(ObjectMapper json) {
        this.json = json;
    }

    /** Ends the response with {@code code}'s status and the envelope (nothing if it has already been sent). */
    public void send(RoutingContext context, ErrorCode code, String message, Map<String, Object> details) {
        send(context, code.problem(message, details));
    }

    /** Ends the response with {@code problem} (does nothing if it has already been sent). */
    public void send(RoutingContext context, Problem problem) {
        HttpServerResponse response = context.response();
        if (response.ended() || response.headWritten()) {
            return;
        }
        String body;
        try {
            // the shape by the path the router matches; the details name the path as it was sent
            body = json.writeValueAsString(ErrorEnvelope.body(problem,
                    ErrorEnvelope.openAiPath(RequestPath.of(context).orElse("")), context.request().path(),
                    context.request().method().name()));
        } catch (JsonProcessingException e) {
            body = "{\"success\":false}";
        }
        if (problem.retryAfterSeconds() != null) {
            response.putHeader("Retry-After", String.valueOf(problem.retryAfterSeconds()));
        }
        problem.headers().forEach((name, value) -> response.putHeader(name, String.valueOf(value)));
        // with Connection: close, HttpGuards closes the connection once the answer is out
        response.setStatusCode(problem.status()).putHeader("Content-Type", "application/json").end(body);
    }
}
