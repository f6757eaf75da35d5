package io.qwenimage.security;

import io.quarkus.security.AuthenticationCompletionException;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import io.qwenimage.errors.ErrorCode;
import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.ws.rs.WebApplicationException;
import java.util.Map;

/**
 * Gives failures that happen before a resource runs the error envelope: 401 {@code UNAUTHORIZED} with
 * {@code WWW-Authenticate}, 403 {@code FORBIDDEN}, and 413 for a body that outgrew the limit while it was read
 * (sent without a length). Quarkus would otherwise answer them with an empty body, or log a client's oversized
 * upload as a server error.
 */
@ApplicationScoped
public class HttpFailureHandler {

    private final ErrorResponses errors;

    public HttpFailureHandler(ErrorResponses errors) {
        this.errors = errors;
    }

    void register(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE).failureHandler(context -> {
            Throwable failure = context.failure();
            if (failure instanceof AuthenticationFailedException || failure instanceof UnauthorizedException
                    || failure instanceof AuthenticationCompletionException) {
                ApiKeyAuthenticationMechanism.unauthorized(context, errors);
            } else if (failure instanceof ForbiddenException) {
                String message = failure.getMessage() != null && !failure.getMessage().isBlank()
                        ? failure.getMessage() : "this API key may not use this route";
                errors.send(context, ErrorCode.FORBIDDEN, message, Map.of());
            } else if (failure instanceof WebApplicationException web && web.getResponse().getStatus() == 413
                    || context.statusCode() == 413) {
                if (context.response().headWritten()) {
                    // Vert.x has already answered 413 while reading the body; the rest of it is not read
                    context.request().connection().close();
                    return;
                }
                context.response().putHeader("Connection", "close");
                errors.send(context, ErrorCode.FILE_TOO_LARGE,
                        "the request body is larger than this service accepts", Map.of());
            } else {
                context.next();
            }
        });
    }
}
