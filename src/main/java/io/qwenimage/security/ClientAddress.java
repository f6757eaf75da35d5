package io.qwenimage.security;

import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;

/**
 * The caller's address. Quarkus' forwarding support ({@code quarkus.http.proxy.*}) rewrites the remote address
 * from {@code X-Forwarded-For}/{@code Forwarded} only when the peer is one of
 * {@code quarkus.http.proxy.trusted-proxies}, so a client cannot choose its own address.
 */
public final class ClientAddress {

    private ClientAddress() {
    }

    public static String of(HttpServerRequest request) {
        SocketAddress remote = request.remoteAddress();
        if (remote == null) {
            return "unknown";
        }
        String host = remote.hostAddress();
        return host == null ? remote.host() : host;
    }

    /** True for 127.0.0.0/8 and ::1. */
    public static boolean isLoopback(String address) {
        return address != null && (address.startsWith("127.") || address.equals("0:0:0:0:0:0:0:1")
                || address.equals("::1"));
    }
}
