package io.qwenimage.engine.image;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;

/**
 * The picture formats accepted as input, recognised by their leading bytes only: a file name or a client's
 * content type says nothing about what the bytes are.
 */
public enum ImageFormat {
    PNG("png"), JPEG("jpeg"), WEBP("webp"), BMP("bmp"), GIF("gif");

    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};

    private final String readerName;

    ImageFormat(String readerName) {
        this.readerName = readerName;
    }

    /** The ImageIO format name whose reader decodes it. */
    public String readerName() {
        return readerName;
    }

    /** The format {@code data} starts with, if it is one of ours. */
    public static Optional<ImageFormat> sniff(byte[] data) {
        if (startsWith(data, PNG_SIGNATURE)) {
            return Optional.of(PNG);
        }
        if (data.length >= 3 && (data[0] & 0xFF) == 0xFF && (data[1] & 0xFF) == 0xD8 && (data[2] & 0xFF) == 0xFF) {
            return Optional.of(JPEG);
        }
        if (data.length >= 12 && ascii(data, 0, 4).equals("RIFF") && ascii(data, 8, 4).equals("WEBP")) {
            return Optional.of(WEBP);
        }
        if (data.length >= 6 && (ascii(data, 0, 6).equals("GIF87a") || ascii(data, 0, 6).equals("GIF89a"))) {
            return Optional.of(GIF);
        }
        if (data.length >= 26 && data[0] == 'B' && data[1] == 'M') {
            return Optional.of(BMP);
        }
        return Optional.empty();
    }

    private static boolean startsWith(byte[] data, byte[] prefix) {
        return data.length >= prefix.length && Arrays.equals(data, 0, prefix.length, prefix, 0, prefix.length);
    }

    private static String ascii(byte[] data, int from, int length) {
        return new String(data, from, length, StandardCharsets.ISO_8859_1);
    }
}
