package io.qwenimage.security;

import io.quarkus.security.ForbiddenException;
import io.quarkus.vertx.http.runtime.CurrentVertxRequest;
import io.vertx.ext.web.RoutingContext;
import jakarta.ws.rs.container.ResourceInfo;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * The second half of admin access: after routing, a method marked {@link AdminRoute} runs only for a request that
 * {@link AccessPolicy} judged as an admin route. Were the path rules and the router ever to disagree, the caller
 * gets 403 and the log an ERROR naming the path, instead of an admin answer.
 */
public class AdminRouteGuard {

    private static final Logger LOG = Logger.getLogger(AdminRouteGuard.class);

    private final CurrentVertxRequest current;

    public AdminRouteGuard(CurrentVertxRequest current) {
        this.current = current;
    }

    @ServerRequestFilter(priority = 1)
    public void check(ResourceInfo resource) {
        if (resource == null || resource.getResourceMethod() == null
                || !(resource.getResourceMethod().isAnnotationPresent(AdminRoute.class)
                || resource.getResourceClass().isAnnotationPresent(AdminRoute.class))) {
            return;
        }
        RoutingContext context = current.getCurrent();
        if (context == null || context.get(AccessPolicy.ACCESS_KEY) != RouteAccess.ADMIN) {
            LOG.errorf("an admin route was reached by a request not judged as one (%s); refused",
                    context == null ? "no request" : context.request().path());
            throw new ForbiddenException("this route is for admin callers");
        }
    }
}
