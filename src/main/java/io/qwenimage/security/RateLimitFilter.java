package io.qwenimage.security;

import io.qwenimage.api.GenerationRoute;
import io.qwenimage.config.QwenConfig;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;
import org.jboss.resteasy.reactive.server.ServerResponseFilter;
import org.jboss.resteasy.reactive.server.SimpleResourceInfo;

/**
 * Applies the caller's rate limit to {@link GenerationRoute} resources (after authentication, so that a key is
 * counted as itself wherever it calls from) and reports it in {@code X-RateLimit-Limit}, {@code -Remaining} and
 * {@code -Reset} (seconds until the bucket is full again).
 */
public class RateLimitFilter {

    private static final String DECISION = RateLimitDecision.class.getName();

    private final RateLimiter limiter;
    private final RateLimitSettings settings;
    private final Callers callers;

    public RateLimitFilter(QwenConfig config, Callers callers) {
        QwenConfig.Security.RateLimit c = config.security().rateLimit();
        this.settings = c.enabled() ? new RateLimitSettings(c.requestsPerMinute(), c.requestsPerHour(), c.burst())
                : null;
        this.limiter = settings == null ? null : new RateLimiter(settings);
        this.callers = callers;
    }

    @ServerRequestFilter
    public void limit(ContainerRequestContext request, SimpleResourceInfo resource) {
        if (limiter == null || resource == null || resource.getResourceClass() == null
                || !resource.getResourceClass().isAnnotationPresent(GenerationRoute.class)) {
            return;
        }
        RateLimitDecision decision = limiter.tryAcquire(callers.current().id());
        request.setProperty(DECISION, decision);
        if (!decision.allowed()) {
            throw new RateLimitExceededException(decision, settings);
        }
    }

    @ServerResponseFilter
    public void report(ContainerRequestContext request, ContainerResponseContext response) {
        if (request.getProperty(DECISION) instanceof RateLimitDecision d) {
            response.getHeaders().putSingle("X-RateLimit-Limit", d.limit());
            response.getHeaders().putSingle("X-RateLimit-Remaining", d.remaining());
            response.getHeaders().putSingle("X-RateLimit-Reset", d.resetSeconds());
        }
    }
}
