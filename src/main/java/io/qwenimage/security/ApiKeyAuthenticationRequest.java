package io.qwenimage.security;

import io.quarkus.security.identity.request.BaseAuthenticationRequest;

/** A key presented in {@code X-API-Key} or {@code Authorization: Bearer}. */
public final class ApiKeyAuthenticationRequest extends BaseAuthenticationRequest {

    private final String key;

    public ApiKeyAuthenticationRequest(String key) {
        this.key = key;
    }

    public String key() {
        return key;
    }

    @Override
    public String toString() {
        // never the key itself
        return "ApiKeyAuthenticationRequest[" + ApiKeys.idOf(key) + "]";
    }
}
