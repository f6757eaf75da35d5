package io.qwenimage.security;

import io.quarkus.security.AuthenticationCompletionException;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Map;

/**
 * Gives authentication and authorization failures the error envelope: 401 {@code UNAUTHORIZED} with
 * {@code WWW-Authenticate}, 403 {@code FORBIDDEN}. Quarkus would otherwise answer them with an empty body.
 */
@ApplicationScoped
public class AuthFailureHandler {

    private final ErrorResponses errors;

    public AuthFailureHandler(ErrorResponses errors) {
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
                errors.send(context, 403, "FORBIDDEN", "auth", message, Map.of());
            } else {
                context.next();
            }
        });
    }
}
