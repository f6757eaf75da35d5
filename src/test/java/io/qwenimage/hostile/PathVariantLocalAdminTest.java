package io.qwenimage.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.qwenimage.testing.RawHttp;
import io.qwenimage.testing.ServiceReady;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Without keys, behind a trusted proxy: admin routes answer local callers only, and no spelling of an admin route
 * lets a remote client (named by the proxy's X-Forwarded-For) past that rule.
 */
@QuarkusTest
@TestProfile(PathVariantLocalAdminTest.BehindProxyWithoutKeys.class)
class PathVariantLocalAdminTest {

    /** No keys; this test's own address is the trusted proxy. */
    public static class BehindProxyWithoutKeys implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.http.proxy.proxy-address-forwarding", "true",
                    "quarkus.http.proxy.allow-x-forwarded", "true",
                    "quarkus.http.proxy.trusted-proxies", "127.0.0.1,::1");
        }
    }

    static final List<PathVariantAccessTest.Route> ADMIN_ROUTES = List.of(
            new PathVariantAccessTest.Route("GET", "/admin/keys"),
            new PathVariantAccessTest.Route("GET", "/admin/model"),
            new PathVariantAccessTest.Route("GET", "/admin/models"),
            new PathVariantAccessTest.Route("POST", "/admin/models/rescan"));

    @ConfigProperty(name = "quarkus.http.test-port")
    int port;

    @BeforeEach
    void waitUntilReady() throws InterruptedException {
        ServiceReady.await();
    }

    @Test
    void noSpellingOfAnAdminRouteAnswersARemoteClient() throws IOException {
        List<String> failures = new ArrayList<>();
        Map<String, String> remote = Map.of("X-Forwarded-For", "203.0.113.9", "Content-Type", "application/json");
        Map<String, String> local = Map.of("Content-Type", "application/json");
        for (PathVariantAccessTest.Route route : ADMIN_ROUTES) {
            String body = route.method().equals("POST") ? "{}" : null;
            assertThat(RawHttp.send(port, route.method(), route.path(), local, body).status()).isEqualTo(200);
            List<String> spellings = Stream.concat(Stream.of(route.path()), Stream.concat(
                    PathVariantAccessTest.equivalentSpellings(route.path()).stream(),
                    PathVariantAccessTest.refusedSpellings(route.path()).stream())).toList();
            for (String spelling : spellings) {
                int status = RawHttp.send(port, route.method(), spelling, remote, body).status();
                if (status != 403 && status != 400 && status != 404) {
                    failures.add(route.method() + " " + spelling + " from a remote client: " + status);
                }
            }
        }
        assertThat(failures).isEmpty();
    }
}
