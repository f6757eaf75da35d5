package io.qwenimage.service;

/** Where a configured model is in its life. */
public enum ModelState {
    /** Configured, not in memory: its first request (or an admin) loads it. */
    UNLOADED,
    /** Being read and warmed up, off the request path. */
    LOADING,
    /** In memory and warmed up: generations run on it. */
    READY,
    /** Its last load failed; the reason is kept, and a request or an admin load tries again. */
    FAILED;

    /** The lower-case name the listings show. */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
