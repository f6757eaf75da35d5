package io.qwenimage.security;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.runtime.QuarkusPrincipal;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Turns a presented key into an identity: the principal is the key id (safe to log), the roles are its scopes,
 * and the attribute {@value #KEY_NAME} carries its configured name.
 */
@ApplicationScoped
public class ApiKeyIdentityProvider implements IdentityProvider<ApiKeyAuthenticationRequest> {

    /** Identity attribute with the key's configured name. */
    public static final String KEY_NAME = "qwen.key-name";

    private static final Logger LOG = Logger.getLogger(ApiKeyIdentityProvider.class);

    private final ApiKeyStore store;

    public ApiKeyIdentityProvider(ApiKeyStore store) {
        this.store = store;
    }

    @Override
    public Class<ApiKeyAuthenticationRequest> getRequestType() {
        return ApiKeyAuthenticationRequest.class;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(ApiKeyAuthenticationRequest request,
                                              AuthenticationRequestContext context) {
        // hashing and comparing a few keys takes microseconds: no need to leave the event loop
        Optional<ApiKey> key = store.keys().verify(request.key());
        if (key.isEmpty()) {
            LOG.debugf("rejected API key %s", ApiKeys.idOf(request.key()));
            return Uni.createFrom().failure(new AuthenticationFailedException("the API key is not valid"));
        }
        ApiKey k = key.get();
        QuarkusSecurityIdentity.Builder identity = QuarkusSecurityIdentity.builder()
                .setPrincipal(new QuarkusPrincipal(k.id()))
                .addAttribute(KEY_NAME, k.name());
        k.scopes().forEach(s -> identity.addRole(s.role()));
        if (k.allows(ApiKeyScope.ADMIN)) {
            identity.addRole(ApiKeyScope.GENERATE.role());
            identity.addRole(ApiKeyScope.METRICS.role());
        }
        return Uni.createFrom().item(identity.build());
    }
}
