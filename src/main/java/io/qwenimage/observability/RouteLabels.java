package io.qwenimage.observability;

import io.qwenimage.security.RequestPath;
import io.quarkus.micrometer.runtime.binder.vertx.HttpRequestMetric;
import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * Keeps raw request paths out of the HTTP server metrics' {@code uri} label. A request the REST router takes is
 * labelled with its route template ({@code /jobs/{id}}), which the router sets and which wins over anything set
 * here; a request answered before routing (401, 403, a refused path or body) would otherwise be labelled with its
 * raw path, which puts capability links ({@code /v1/images/files/<id>}) into the metrics and lets random paths
 * fill Micrometer's cap on label values, after which real routes are no longer recorded. Such a request is
 * labelled by its status instead: {@code UNAUTHORIZED}, {@code FORBIDDEN}, {@code NOT_FOUND} or
 * {@code UNMATCHED}; the web page's files as {@code /ui/*}.
 */
@ApplicationScoped
public class RouteLabels {

    void register(@Observes Filters filters) {
        filters.register(this::label, 2000);
    }

    private void label(RoutingContext context) {
        HttpRequestMetric metric = HttpRequestMetric.getRequestMetric(context);
        if (metric != null) {
            context.addHeadersEndHandler(v -> metric.setTemplatePath(labelOf(context)));
        }
        context.next();
    }

    /** The label of a request that no REST route template labels. */
    static String labelOf(RoutingContext context) {
        int status = context.response().getStatusCode();
        String path = RequestPath.of(context).orElse("");
        if (status < 400 && (path.equals("/ui") || path.startsWith("/ui/"))) {
            return "/ui/*";
        }
        return switch (status) {
            case 401 -> "UNAUTHORIZED";
            case 403 -> "FORBIDDEN";
            case 404 -> "NOT_FOUND";
            default -> "UNMATCHED";
        };
    }
}
