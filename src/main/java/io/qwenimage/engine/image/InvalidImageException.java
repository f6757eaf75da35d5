package io.qwenimage.engine.image;

/** Bytes that are not a readable PNG, JPEG, WebP, BMP or GIF picture. */
public class InvalidImageException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    public InvalidImageException(String message) {
        super(message);
    }

    public InvalidImageException(String message, Throwable cause) {
        super(message, cause);
    }
}
