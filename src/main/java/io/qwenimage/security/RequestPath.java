package io.qwenimage.security;

import io.vertx.ext.web.RoutingContext;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * The one path every policy judges a request by (access scope, allowlist, public paths, error shape), made the way
 * the router matches it, so that no spelling of a route reaches its handler past a policy that read it differently.
 *
 * <p>The router (Quarkus REST) ignores empty segments, a trailing slash and percent-encoded ordinary characters:
 * {@code //admin/keys/} and {@code /%61dmin/keys} both select {@code /admin/keys}; so does the canonical path. What
 * the router reads in a way a prefix rule cannot see — {@code ;} matrix parameters (stripped per segment, so that
 * {@code /admin;x=1/keys} selects {@code /admin/keys}), dot segments in any spelling ({@code ..;}, {@code %2e}),
 * encoded {@code /}, {@code \}, {@code ;} or {@code %}, control characters — no route of ours needs, and such a
 * path is refused before anything else runs ({@link #canonical(String)} is empty).
 */
public final class RequestPath {

    private static final String CONTEXT_KEY = RequestPath.class.getName();
    private static final String[] REFUSED_ENCODINGS = {"%2f", "%5c", "%3b", "%25", "%2e", "%00"};

    private RequestPath() {
    }

    /** The canonical path of this request, computed once per request; empty when the path is refused. */
    public static Optional<String> of(RoutingContext context) {
        Object known = context.get(CONTEXT_KEY);
        if (known instanceof Optional<?> o) {
            return o.map(String.class::cast);
        }
        Optional<String> path = canonical(context.request().path());
        context.put(CONTEXT_KEY, path);
        return path;
    }

    /**
     * The canonical form of a raw request path (without the query): {@code /} and segments joined by single
     * slashes, percent-encoded characters decoded, no trailing slash; empty for a path that is refused.
     */
    public static Optional<String> canonical(String raw) {
        if (raw == null || raw.isEmpty()) {
            return Optional.of("/");
        }
        if (raw.charAt(0) != '/' || raw.indexOf(';') >= 0 || raw.indexOf('\\') >= 0) {
            return Optional.empty();
        }
        String lower = raw.toLowerCase(Locale.ROOT);
        for (String refused : REFUSED_ENCODINGS) {
            if (lower.contains(refused)) {
                return Optional.empty();
            }
        }
        String decoded = decode(raw);
        if (decoded == null) {
            return Optional.empty();
        }
        StringBuilder canonical = new StringBuilder(decoded.length());
        for (String segment : decoded.split("/")) {
            if (segment.isEmpty()) {
                continue;
            }
            if (segment.equals(".") || segment.equals("..")) {
                return Optional.empty();
            }
            canonical.append('/').append(segment);
        }
        return Optional.of(canonical.isEmpty() ? "/" : canonical.toString());
    }

    /** Percent-decoding as UTF-8; null for a malformed escape, invalid UTF-8 or a control character. */
    private static String decode(String raw) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '%') {
                if (i + 2 >= raw.length()) {
                    return null;
                }
                int hi = Character.digit(raw.charAt(i + 1), 16);
                int lo = Character.digit(raw.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) {
                    return null;
                }
                bytes.write(hi << 4 | lo);
                i += 2;
            } else if (c < 0x20 || c == 0x7f || c > 0x7e) {
                return null;
            } else {
                bytes.write(c);
            }
        }
        byte[] utf8 = bytes.toByteArray();
        String text = new String(utf8, StandardCharsets.UTF_8);
        if (!Arrays.equals(text.getBytes(StandardCharsets.UTF_8), utf8)) {
            return null;
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                return null;
            }
        }
        return text;
    }
}
