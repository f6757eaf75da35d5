package io.qwenimage.security;

import java.util.Set;

/**
 * One accepted key, known only by its SHA-256: the secret itself is not kept. {@code id} is a short hash that
 * is safe to log and to use as a metrics tag.
 */
public record ApiKey(String id, String name, Set<ApiKeyScope> scopes, byte[] sha256) {

    public ApiKey {
        scopes = Set.copyOf(scopes);
        sha256 = sha256.clone();
    }

    public boolean allows(ApiKeyScope scope) {
        return scopes.contains(scope) || scopes.contains(ApiKeyScope.ADMIN);
    }

    @Override
    public byte[] sha256() {
        return sha256.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ApiKey k && k.id.equals(id) && k.name.equals(name) && k.scopes.equals(scopes);
    }

    @Override
    public int hashCode() {
        return id.hashCode();
    }

    @Override
    public String toString() {
        return "ApiKey[" + id + ", " + name + ", " + scopes + "]";
    }
}
