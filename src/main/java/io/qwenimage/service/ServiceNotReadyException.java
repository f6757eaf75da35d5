package io.qwenimage.service;

/** A generation asked for before the model is loaded and warmed up (or after it failed to load). */
public class ServiceNotReadyException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public ServiceNotReadyException(String message) {
        super(message);
    }
}
