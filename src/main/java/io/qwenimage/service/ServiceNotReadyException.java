package io.qwenimage.service;

import io.qwenimage.errors.ErrorCode;
import io.qwenimage.errors.ServiceException;
import java.util.Map;

/** A generation asked for before the model is loaded and warmed up (or after it failed to load). */
public class ServiceNotReadyException extends ServiceException {

    private static final long serialVersionUID = 1L;

    public ServiceNotReadyException(String message) {
        super(ErrorCode.MODEL_NOT_LOADED, message, Map.of());
    }
}
