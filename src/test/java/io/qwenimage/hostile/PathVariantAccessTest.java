package io.qwenimage.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.qwenimage.security.ApiKeys;
import io.qwenimage.testing.RawHttp;
import io.qwenimage.testing.ServiceReady;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every route, spelled every way a router might read differently (matrix parameters in any segment, trailing and
 * doubled slashes, dot segments, percent-encoding), with every kind of credential: a spelling either reaches what
 * the plain path reaches with that credential (or nothing: 404, 400) or is refused as a path (400 INVALID_PATH). None
 * gets past a scope, a public-path rule or the admin rule that the plain path is held to.
 */
@QuarkusTest
@TestProfile(PathVariantAccessTest.WithKeys.class)
class PathVariantAccessTest {

    static final String GENERATE = "gen-0123456789abcdef0123";
    static final String ADMIN = "ops-fedcba9876543210fedcba";

    /** A generate key and an admin key; the shipped public paths. */
    public static class WithKeys implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("qwen.security.api-keys", "gen=" + GENERATE + ",ops:admin=" + ApiKeys.hashEntry(ADMIN));
        }
    }

    /** A route as the test calls it: method, a concrete path, and the OpenAPI template it stands for. */
    record Route(String method, String path, String template) {
        Route(String method, String path) {
            this(method, path, path);
        }
    }

    // bodies that every POST route refuses quickly (nothing is generated): a bad step count in every vocabulary
    static final String BODY = "{\"num_inference_steps\": -1, \"steps\": -1, \"n\": 0, \"prompt\": \"\"}";

    static final List<Route> ROUTES = List.of(
            new Route("GET", "/"), new Route("GET", "/health"), new Route("GET", "/info"),
            new Route("GET", "/metrics"), new Route("GET", "/ui/index.html"),
            new Route("POST", "/text-to-image"), new Route("POST", "/image-to-image"), new Route("POST", "/jobs"),
            new Route("GET", "/jobs/nosuchjob", "/jobs/{id}"), new Route("DELETE", "/jobs/nosuchjob", "/jobs/{id}"),
            new Route("GET", "/jobs/nosuchjob/events", "/jobs/{id}/events"),
            new Route("GET", "/v1/models"), new Route("GET", "/v1/models/nosuchmodel", "/v1/models/{id}"),
            new Route("POST", "/v1/images/generations"), new Route("POST", "/v1/images/edits"),
            new Route("GET", "/v1/images/files/nosuchfile", "/v1/images/files/{id}"),
            new Route("POST", "/sdapi/v1/txt2img"), new Route("POST", "/sdapi/v1/img2img"),
            new Route("GET", "/sdapi/v1/samplers"), new Route("GET", "/sdapi/v1/sd-models"),
            new Route("GET", "/sdapi/v1/options"), new Route("POST", "/sdapi/v1/options"),
            new Route("GET", "/sdapi/v1/progress"), new Route("POST", "/sdapi/v1/interrupt"),
            new Route("POST", "/sdapi/v1/extra-single-image"), new Route("GET", "/sdapi/v1/upscalers"),
            new Route("POST", "/upscale"),
            new Route("GET", "/admin/keys"), new Route("GET", "/admin/model"), new Route("GET", "/admin/models"),
            new Route("POST", "/admin/models/nosuchmodel/load", "/admin/models/{id}/load"),
            new Route("POST", "/admin/models/nosuchmodel/unload", "/admin/models/{id}/unload"),
            new Route("POST", "/admin/models/rescan"),
            new Route("GET", "/q/health"), new Route("GET", "/q/health/live"), new Route("GET", "/q/health/ready"),
            new Route("GET", "/q/health/started"), new Route("GET", "/q/metrics"), new Route("GET", "/q/openapi"));

    @ConfigProperty(name = "quarkus.http.test-port")
    int port;

    @BeforeEach
    void waitUntilReady() throws InterruptedException {
        ServiceReady.await();
    }

    @Test
    void noSpellingOfAnyRouteGetsMoreThanItsPlainPathWithAnyCredential() throws IOException {
        List<String> failures = new ArrayList<>();
        int requests = 0;
        for (Map<String, String> credential : credentials()) {
            for (Route route : ROUTES) {
                RawHttp.Answer plain = call(route.method(), route.path(), credential);
                assertThat(plain.status()).as("%s %s", route.method(), route.path()).isLessThan(500);
                for (String variant : equivalentSpellings(route.path())) {
                    int status = call(route.method(), variant, credential).status();
                    requests++;
                    if (status != plain.status() && status != 404 && status != 400) {
                        failures.add(describe(route, variant, credential, plain.status(), status));
                    }
                }
                for (String variant : refusedSpellings(route.path())) {
                    RawHttp.Answer answer = call(route.method(), variant, credential);
                    requests++;
                    // ours, in the envelope; or Vert.x' own bare 400 for what its parser refuses (a backslash)
                    if (answer.status() != 400 || !(answer.body().contains("\"INVALID_PATH\"")
                            || answer.body().isBlank())) {
                        failures.add(describe(route, variant, credential, 400, answer.status()));
                    }
                }
            }
        }
        assertThat(failures).as("of %d requests", requests).isEmpty();
    }

    @Test
    void theReportedBypassesAreClosed() throws IOException {
        Map<String, String> generateKey = Map.of("X-API-Key", GENERATE);
        assertThat(call("GET", "/admin;x=1/keys", generateKey).status()).isEqualTo(400);
        // (issue 19 made POST /sdapi/v1/options a per-caller route; an admin POST stands in for it)
        assertThat(call("POST", "/admin/models/rescan/", generateKey).status()).isEqualTo(403);
        assertThat(call("GET", "/admin/keys/", generateKey).status()).isEqualTo(403);
        assertThat(call("GET", "//admin//keys//", Map.of("X-API-Key", ADMIN)).status()).isEqualTo(200);
        // a public path spelled with a trailing slash is still public
        assertThat(call("GET", "/health/", Map.of()).status()).isEqualTo(200);
    }

    @Test
    void theMatrixCoversEveryDocumentedRoute() throws IOException {
        JsonNode paths = new ObjectMapper().readTree(
                call("GET", "/q/openapi?format=json", Map.of("X-API-Key", ADMIN)).body()).get("paths");
        Set<String> covered = new TreeSet<>();
        ROUTES.forEach(r -> covered.add(r.method() + " " + r.template()));
        Set<String> documented = new TreeSet<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = paths.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> path = it.next();
            path.getValue().fieldNames().forEachRemaining(m -> documented.add(m.toUpperCase() + " " + path.getKey()));
        }
        assertThat(covered).containsAll(documented);
    }

    /** No key, a wrong key, a generate key, an admin key, each in the header clients use most. */
    static List<Map<String, String>> credentials() {
        return List.of(Map.of(), Map.of("X-API-Key", "mallory-0000000000000000"),
                Map.of("X-API-Key", GENERATE), Map.of("Authorization", "Bearer " + ADMIN));
    }

    /** Spellings the router takes for the same route: trailing and doubled slashes, encoded ordinary letters. */
    static List<String> equivalentSpellings(String path) {
        List<String> segments = segments(path);
        List<String> out = new ArrayList<>();
        out.add(path + "/");
        out.add("/" + path);
        out.add(path + "//");
        if (!segments.isEmpty()) {
            String first = segments.get(0);
            if (segments.size() > 1) {
                out.add(replaceSegment(segments, 1, "/" + segments.get(1)));
            }
            out.add(replaceSegment(segments, 0, String.format("%%%02X", (int) first.charAt(0)) + first.substring(1)));
            out.add(replaceSegment(segments, segments.size() - 1,
                    String.format("%%%02x", (int) segments.get(segments.size() - 1).charAt(0))
                            + segments.get(segments.size() - 1).substring(1)));
        }
        return out;
    }

    /** Spellings no route of ours uses: matrix parameters anywhere, dot segments, encoded separators. */
    static List<String> refusedSpellings(String path) {
        List<String> segments = segments(path);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < segments.size(); i++) {
            out.add(replaceSegment(segments, i, segments.get(i) + ";x=1"));
            out.add(replaceSegment(segments, i, segments.get(i) + ";"));
            out.add(replaceSegment(segments, i, segments.get(i) + "%3Bx=1"));
        }
        out.add("/;x=1" + path);
        out.add("/./" + path.substring(1));
        out.add("/nowhere/.." + path);
        out.add("/nowhere/..;" + path);
        out.add("/nowhere/%2e%2e" + path);
        out.add("/%2e" + path);
        out.add(path + "/.");
        if (segments.size() > 1) {
            out.add(path.replaceFirst("/(?=[^/]*$)", "%2F"));
            out.add(path.replaceFirst("/(?=[^/]*$)", "%252F"));
            out.add(path.replaceFirst("/(?=[^/]*$)", "\\\\"));
            out.add(path.replaceFirst("/(?=[^/]*$)", "/x/../"));
        }
        return out;
    }

    private static List<String> segments(String path) {
        List<String> segments = new ArrayList<>();
        for (String s : path.split("/")) {
            if (!s.isEmpty()) {
                segments.add(s);
            }
        }
        return segments;
    }

    private static String replaceSegment(List<String> segments, int index, String replacement) {
        List<String> copy = new ArrayList<>(segments);
        copy.set(index, replacement);
        return "/" + String.join("/", copy);
    }

    private RawHttp.Answer call(String method, String path, Map<String, String> credential) throws IOException {
        Map<String, String> headers = new LinkedHashMap<>(credential);
        String body = null;
        if (method.equals("POST")) {
            headers.put("Content-Type", "application/json");
            body = BODY;
        }
        return RawHttp.send(port, method, path, headers, body);
    }

    private static String describe(Route route, String variant, Map<String, String> credential, int expected,
                                   int got) {
        return route.method() + " " + variant + " with " + (credential.isEmpty() ? "no key" : credential.keySet())
                + ": expected " + expected + " (or nothing), got " + got;
    }
}
