package io.qwenimage.security;

/**
 * Who is calling: an API key (by id and name) or, without one, a client address. {@link #id()} is what rate
 * limits and job caps count by; it never contains a key.
 */
public record Caller(String id, String keyName, String address, boolean anonymous) {

    public static Caller ofKey(String keyId, String keyName, String address) {
        return new Caller(keyId, keyName, address, false);
    }

    public static Caller anonymous(String address) {
        return new Caller("ip:" + address, null, address, true);
    }
}
