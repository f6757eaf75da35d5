package io.qwenimage.api;

import io.qwenimage.security.AdminRoute;
import io.qwenimage.security.ApiKey;
import io.qwenimage.security.ApiKeyScope;
import io.qwenimage.security.ApiKeyStore;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import java.util.Map;

/**
 * {@code /admin/*}: routes for operators, open only to keys with the {@code admin} scope (without keys, only to
 * local callers). Never shows a key, only ids, names and scopes.
 */
@Path("/admin")
@AdminRoute
public class AdminResource {

    private final ApiKeyStore keys;

    public AdminResource(ApiKeyStore keys) {
        this.keys = keys;
    }

    /** The keys in force, e.g. to check that a rotation has been picked up. */
    @GET
    @Path("/keys")
    @Produces(MediaType.APPLICATION_JSON)
    public Map<String, Object> keys() {
        List<Map<String, Object>> list = keys.keys().all().stream()
                .map(AdminResource::describe).toList();
        return Map.of("auth_enabled", !list.isEmpty(), "keys", list);
    }

    private static Map<String, Object> describe(ApiKey k) {
        return Map.of("id", k.id(), "name", k.name(),
                "scopes", k.scopes().stream().map(ApiKeyScope::role).sorted().toList());
    }
}
