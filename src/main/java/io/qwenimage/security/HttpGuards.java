package io.qwenimage.security;

import io.quarkus.vertx.http.runtime.filters.Filters;
import io.qwenimage.config.QwenConfig;
import io.qwenimage.errors.ErrorCode;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Map;

/**
 * Filters in front of every route: security headers on every response, the path guard that refuses a path no
 * route of ours is spelled with ({@link RequestPath}), and the request-size guard that refuses a body whose
 * declared length exceeds what any route accepts, before a byte of it is read.
 */
@ApplicationScoped
public class HttpGuards {

    static final String CSP = "default-src 'self'; img-src 'self' data: blob:; script-src 'self'; "
            + "style-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

    private final ErrorResponses errors;
    private final long maxBody;
    private final long maxFile;

    public HttpGuards(ErrorResponses errors, QwenConfig config) {
        this.errors = errors;
        this.maxFile = config.server().maxFileSize();
        this.maxBody = maxRequestBody(maxFile);
    }

    /**
     * The largest body any route accepts: an upload of {@code maxFileSize} bytes, base64-encoded in JSON (4/3),
     * plus 1 MiB for the other fields.
     */
    public static long maxRequestBody(long maxFileSize) {
        return maxFileSize / 3 * 4 + 4 + (1L << 20);
    }

    void register(@Observes Filters filters) {
        filters.register(this::headers, 1000);
        filters.register(this::path, 995);
        filters.register(this::bodySize, 990);
    }

    private void headers(RoutingContext context) {
        boolean tls = context.request().isSSL();
        boolean swagger = RequestPath.of(context).orElse("").startsWith("/q/swagger-ui");
        context.addBodyEndHandler(v -> closeIfAnsweredUnread(context));
        context.addHeadersEndHandler(v -> {
            MultiMap h = context.response().headers();
            h.set("X-Content-Type-Options", "nosniff");
            h.set("X-Frame-Options", "DENY");
            h.set("Referrer-Policy", "no-referrer");
            h.set("Cross-Origin-Opener-Policy", "same-origin");
            if (!swagger) {
                // Swagger UI's page has inline scripts; everything else of ours works under this policy
                h.set("Content-Security-Policy", CSP);
            }
            if (!h.contains("Cache-Control")) {
                // generated pictures and their prompts are private to the caller
                h.set("Cache-Control", "no-store");
            }
            if (tls) {
                h.set("Strict-Transport-Security", "max-age=31536000");
            }
        });
        context.next();
    }

    /**
     * An answer that says {@code Connection: close} was given before its request's body was read (refused by
     * size, a form over the part limit): saying so is not enough, Vert.x would keep the connection open until the
     * idle timeout, and a keep-alive client would send its next request into a connection whose reading stopped
     * mid-body, where it is never answered. HTTP/2 streams end on their own.
     */
    private static void closeIfAnsweredUnread(RoutingContext context) {
        if ("close".equalsIgnoreCase(context.response().headers().get("Connection"))
                && context.request().version() != HttpVersion.HTTP_2) {
            context.request().connection().close();
        }
    }

    private void path(RoutingContext context) {
        if (RequestPath.of(context).isEmpty()) {
            errors.send(context, ErrorCode.INVALID_PATH, "the request path has matrix parameters, dot "
                    + "segments or encoded separators, which no route of this service uses", Map.of());
            return;
        }
        context.next();
    }

    private void bodySize(RoutingContext context) {
        String length = context.request().getHeader("Content-Length");
        if (length != null) {
            long declared;
            try {
                declared = Long.parseLong(length.trim());
            } catch (NumberFormatException e) {
                declared = -1;
            }
            if (declared < 0 || declared > maxBody) {
                // the unread body would otherwise be taken for the next request on this connection
                context.response().putHeader("Connection", "close");
                errors.send(context, declared < 0 ? ErrorCode.INVALID_REQUEST : ErrorCode.FILE_TOO_LARGE,
                        declared < 0 ? "Content-Length is not a number"
                                : "the request body is " + declared + " bytes; uploads may be at most " + maxFile
                                + " bytes (" + maxBody + " for the whole request)",
                        Map.of("max_file_size", maxFile, "max_request_size", maxBody));
                return;
            }
        }
        context.next();
    }
}
