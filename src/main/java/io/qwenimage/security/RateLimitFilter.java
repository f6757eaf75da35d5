package io.qwenimage.security;

import io.github.bucket4j.BucketConfiguration;
import io.smallrye.mutiny.Uni;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jboss.logging.Logger;

import io.qwenimage.http.GenerationRoute;
import io.qwenimage.config.QwenConfig;
import io.vertx.ext.web.RoutingContext;
import jakarta.ws.rs.container.ContainerRequestContext;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;
import org.jboss.resteasy.reactive.server.SimpleResourceInfo;

/**
 * Applies the caller's rate limit to {@link GenerationRoute} resources (after authentication, so that a key is
 * counted as itself wherever it calls from) and reports it in {@code X-RateLimit-Limit}, {@code -Remaining} and
 * {@code -Reset} (seconds until the bucket is full again).
 */
public class RateLimitFilter {

    private static final String DECISION = RateLimitDecision.class.getName();

    private static final Logger LOG = Logger.getLogger(RateLimitFilter.class);

    private final RateLimiter limiter;
    private final RateLimitSettings settings;
    private final BucketConfiguration configuration;
    private final SharedBuckets shared;
    private final Callers callers;
    private final AtomicBoolean sharedDown = new AtomicBoolean();

    public RateLimitFilter(QwenConfig config, Callers callers, SharedLimits sharedLimits) {
        QwenConfig.Security.RateLimit c = config.security().rateLimit();
        this.settings = c.enabled() ? new RateLimitSettings(c.requestsPerMinute(), c.requestsPerHour(), c.burst())
                : null;
        this.limiter = settings == null ? null : new RateLimiter(settings);
        this.configuration = settings == null ? null : RateLimiter.configuration(settings);
        this.shared = settings == null ? null : sharedLimits.buckets().orElse(null);
        this.callers = callers;
    }

    /**
     * Buckets in Redis when shared (without blocking the event loop); this replica's own buckets otherwise, and
     * while Redis cannot be reached (the limit then holds per replica, and one WARN says so).
     */
    @ServerRequestFilter
    public Uni<Void> limit(ContainerRequestContext request, SimpleResourceInfo resource, RoutingContext routing) {
        if (limiter == null || resource == null || resource.getResourceClass() == null
                || !resource.getResourceClass().isAnnotationPresent(GenerationRoute.class)) {
            return null;
        }
        String client = callers.current().id();
        if (shared == null) {
            apply(request, routing, limiter.tryAcquire(client));
            return null;
        }
        return Uni.createFrom().completionStage(() -> shared.tryConsume(client, configuration))
                .map(probe -> {
                    if (sharedDown.compareAndSet(true, false)) {
                        LOG.info("shared rate-limit buckets reachable again");
                    }
                    return RateLimiter.decision(probe, settings);
                })
                .onFailure().recoverWithItem(e -> {
                    if (sharedDown.compareAndSet(false, true)) {
                        LOG.warnf("shared rate-limit buckets unreachable (%s): limiting per replica meanwhile",
                                e.getMessage());
                    }
                    return limiter.tryAcquire(client);
                })
                .invoke(decision -> apply(request, routing, decision))
                .replaceWithVoid();
    }

    private void apply(ContainerRequestContext request, RoutingContext routing, RateLimitDecision decision) {
        request.setProperty(DECISION, decision);
        // on the response's headers whatever writes it (a JSON answer, an error, a stream: RestMulti answers skip
        // JAX-RS response filters)
        routing.addHeadersEndHandler(v -> {
            routing.response().headers().set("X-RateLimit-Limit", String.valueOf(decision.limit()));
            routing.response().headers().set("X-RateLimit-Remaining", String.valueOf(decision.remaining()));
            routing.response().headers().set("X-RateLimit-Reset", String.valueOf(decision.resetSeconds()));
        });
        if (!decision.allowed()) {
            throw new RateLimitExceededException(decision, settings);
        }
    }

}
