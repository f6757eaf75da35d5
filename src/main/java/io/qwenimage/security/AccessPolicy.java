package io.qwenimage.security;

import io.qwenimage.config.QwenConfig;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.vertx.http.runtime.security.HttpSecurityPolicy;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Optional;

/**
 * Decides every request (a global policy: Quarkus runs it on all routes). Public paths pass; other routes need
 * an allowed client address (when {@code qwen.security.ip-allowlist} is set) and, when keys are configured, a
 * key with the route's scope. An anonymous caller is denied with 401, a key without the scope with 403. The route
 * is judged by its {@link RequestPath} (the path the router matches), never by the raw spelling.
 */
@ApplicationScoped
public class AccessPolicy implements HttpSecurityPolicy {

    /** Where the decision's {@link RouteAccess} is kept in the request, for {@link AdminRouteGuard}. */
    static final String ACCESS_KEY = RouteAccess.class.getName();

    private final ApiKeyStore keys;
    private final AccessRules rules;
    private final List<IpRange> allowlist;

    public AccessPolicy(ApiKeyStore keys, QwenConfig config) {
        this.keys = keys;
        this.rules = new AccessRules(config.security().publicPaths());
        this.allowlist = config.security().ipAllowlist().orElse(List.of()).stream()
                .filter(s -> !s.isBlank()).map(IpRange::parse).toList();
    }

    @Override
    public Uni<CheckResult> checkPermission(RoutingContext request, Uni<SecurityIdentity> identity,
                                            AuthorizationRequestContext context) {
        Optional<String> path = RequestPath.of(request);
        if (path.isEmpty()) {
            // HttpGuards refuses such a path before this runs; should it ever get here, it passes nothing
            return Uni.createFrom().failure(new ForbiddenException("this request path is not accepted"));
        }
        RouteAccess access = rules.classify(request.request().method().name(), path.get());
        request.put(ACCESS_KEY, access);
        if (access == RouteAccess.PUBLIC) {
            return CheckResult.permit();
        }
        String address = ClientAddress.of(request.request());
        if (!allowlist.isEmpty() && allowlist.stream().noneMatch(r -> r.contains(address))) {
            return Uni.createFrom().failure(new ForbiddenException("this client address may not call the API"));
        }
        if (!keys.enabled()) {
            if (access == RouteAccess.ADMIN && !ClientAddress.isLoopback(address)) {
                return Uni.createFrom().failure(new ForbiddenException(
                        "admin routes answer only local callers while no API keys are configured"));
            }
            return CheckResult.permit();
        }
        String role = switch (access) {
            case ADMIN -> ApiKeyScope.ADMIN.role();
            case METRICS -> ApiKeyScope.METRICS.role();
            default -> ApiKeyScope.GENERATE.role();
        };
        return identity.map(id -> !id.isAnonymous() && id.hasRole(role) ? CheckResult.PERMIT : CheckResult.DENY);
    }
}
