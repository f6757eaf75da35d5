package io.qwenimage.security;

import io.quarkus.security.identity.IdentityProviderManager;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.AuthenticationRequest;
import io.quarkus.vertx.http.runtime.security.ChallengeData;
import io.quarkus.vertx.http.runtime.security.HttpAuthenticationMechanism;
import io.quarkus.vertx.http.runtime.security.HttpSecurityUtils;
import io.qwenimage.errors.ErrorCode;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Set;

/**
 * Reads an API key from {@code X-API-Key} (the seed's header) or {@code Authorization: Bearer} (what OpenAI SDKs
 * send). No key: the caller is anonymous and {@link AccessPolicy} decides. A wrong key fails authentication on
 * every route (401). While no keys are configured, presented keys are ignored: OpenAI SDKs always send one.
 */
@ApplicationScoped
public class ApiKeyAuthenticationMechanism implements HttpAuthenticationMechanism {

    /** The challenge of every 401. */
    public static final String CHALLENGE = "Bearer realm=\"qwen-image-api\"";

    private static final String BEARER = "bearer ";

    private final ApiKeyStore store;
    private final ErrorResponses errors;

    public ApiKeyAuthenticationMechanism(ApiKeyStore store, ErrorResponses errors) {
        this.store = store;
        this.errors = errors;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(RoutingContext context, IdentityProviderManager identities) {
        String key = presentedKey(context);
        if (key == null || !store.enabled()) {
            return Uni.createFrom().nullItem();
        }
        return identities.authenticate(HttpSecurityUtils.setRoutingContextAttribute(
                new ApiKeyAuthenticationRequest(key), context));
    }

    /** The key in the request, or null. */
    static String presentedKey(RoutingContext context) {
        String key = context.request().getHeader("X-API-Key");
        if (key != null && !key.isBlank()) {
            return key.trim();
        }
        String authorization = context.request().getHeader("Authorization");
        if (authorization != null && authorization.length() > BEARER.length()
                && authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return authorization.substring(BEARER.length()).trim();
        }
        return null;
    }

    @Override
    public Uni<ChallengeData> getChallenge(RoutingContext context) {
        return Uni.createFrom().item(new ChallengeData(401, "WWW-Authenticate", CHALLENGE));
    }

    /** The 401 of a caller without a key, in the error envelope rather than Quarkus' empty body. */
    @Override
    public Uni<Boolean> sendChallenge(RoutingContext context) {
        unauthorized(context, errors);
        return Uni.createFrom().item(true);
    }

    static void unauthorized(RoutingContext context, ErrorResponses errors) {
        context.response().putHeader("WWW-Authenticate", CHALLENGE);
        errors.send(context, ErrorCode.UNAUTHORIZED, presentedKey(context) != null
                ? "the API key is not valid"
                : "an API key is required: send it as X-API-Key or Authorization: Bearer", java.util.Map.of());
    }

    @Override
    public Set<Class<? extends AuthenticationRequest>> getCredentialTypes() {
        return Set.of(ApiKeyAuthenticationRequest.class);
    }
}
