package io.qwenimage.engine.image;

/** Bytes whose signature is not one of the accepted picture formats (whatever the file is called). */
public class UnsupportedImageFormatException extends InvalidImageException {

    private static final long serialVersionUID = 1L;

    public UnsupportedImageFormatException(String message) {
        super(message);
    }
}
