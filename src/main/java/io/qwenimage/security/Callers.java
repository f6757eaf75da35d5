package io.qwenimage.security;

import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.vertx.http.runtime.CurrentVertxRequest;
import io.quarkus.vertx.http.runtime.security.QuarkusHttpUser;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;

/** The {@link Caller} of the request being handled, from its identity (set by authentication) and address. */
@ApplicationScoped
public class Callers {

    private static final String KEY = Caller.class.getName();

    private final CurrentVertxRequest request;

    public Callers(CurrentVertxRequest request) {
        this.request = request;
    }

    /** The current request's caller; outside a request, an anonymous "unknown" caller. */
    public Caller current() {
        RoutingContext context = request.getCurrent();
        return context == null ? Caller.anonymous("unknown") : of(context);
    }

    /** The caller of {@code context}, computed once per request. */
    public static Caller of(RoutingContext context) {
        Caller cached = context.get(KEY);
        if (cached != null) {
            return cached;
        }
        String address = ClientAddress.of(context.request());
        Caller caller = Caller.anonymous(address);
        if (context.user() instanceof QuarkusHttpUser user) {
            SecurityIdentity identity = user.getSecurityIdentity();
            if (identity != null && !identity.isAnonymous()) {
                String name = identity.getAttribute(ApiKeyIdentityProvider.KEY_NAME);
                caller = Caller.ofKey(identity.getPrincipal().getName(), name, address);
            }
        }
        context.put(KEY, caller);
        return caller;
    }
}
