package io.qwenimage.api;

import io.qwenimage.errors.ErrorCode;
import io.qwenimage.errors.ServiceException;
import java.io.IOException;
import java.nio.file.Files;
import java.util.Base64;
import java.util.Map;
import org.jboss.resteasy.reactive.multipart.FileUpload;

/**
 * Reads the values of multipart forms and base64 pictures the way every API here does: blank is absent, a wrong
 * number names its field, a picture over the upload limit is 413 before it is decoded.
 */
final class UploadedValues {

    private UploadedValues() {
    }

    static Integer integer(String value, String field) {
        Long v = wholeNumber(value, field);
        if (v != null && (v > Integer.MAX_VALUE || v < Integer.MIN_VALUE)) {
            throw ServiceException.invalid(field, field + " is out of range: " + v);
        }
        return v == null ? null : v.intValue();
    }

    /** A form's true/false field; absent is false. */
    static boolean flag(String value, String field) {
        if (value == null || value.isBlank()) {
            return false;
        }
        return switch (value.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw ServiceException.invalid(field, field + " must be true or false, not '" + value + "'");
        };
    }

    static Long wholeNumber(String value, String field) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return Long.valueOf(value.trim());
        } catch (NumberFormatException e) {
            throw ServiceException.invalid(field, field + " must be an integer, not '" + value + "'");
        }
    }

    static Double number(String value, String field) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            double d = Double.parseDouble(value.trim());
            if (!Double.isFinite(d)) {
                throw new NumberFormatException();
            }
            return d;
        } catch (NumberFormatException e) {
            throw ServiceException.invalid(field, field + " must be a number, not '" + value + "'");
        }
    }

    /** The bytes of a base64 picture (a {@code data:} URL is fine). */
    static byte[] base64Picture(String data, String field, long maxBytes) {
        int comma = data.startsWith("data:") ? data.indexOf(',') : -1;
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode((comma >= 0 ? data.substring(comma + 1) : data).replaceAll("\\s", ""));
        } catch (IllegalArgumentException e) {
            throw ServiceException.invalid(field, "\"" + field + "\" is not valid base64");
        }
        if (bytes.length > maxBytes) {
            throw tooLarge(bytes.length, field, maxBytes);
        }
        return bytes;
    }

    /** The bytes of an uploaded file. */
    static byte[] file(FileUpload upload, String field, long maxBytes) {
        if (upload == null || upload.uploadedFile() == null) {
            throw ServiceException.invalid(field, "an image file is required (form field \"" + field + "\")");
        }
        if (upload.size() > maxBytes) {
            throw tooLarge(upload.size(), field, maxBytes);
        }
        try {
            return Files.readAllBytes(upload.uploadedFile());
        } catch (IOException e) {
            throw ServiceException.invalid(field, "the uploaded file cannot be read");
        }
    }

    private static ServiceException tooLarge(long size, String field, long maxBytes) {
        return new ServiceException(ErrorCode.FILE_TOO_LARGE, "the image is " + size + " bytes; at most "
                + maxBytes + " are accepted", Map.of("field", field, "max_file_size", maxBytes));
    }
}
