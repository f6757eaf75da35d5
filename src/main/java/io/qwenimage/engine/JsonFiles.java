package io.qwenimage.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads a model folder's JSON files; problems become a {@link ModelException} naming the file. */
public final class JsonFiles {

    private static final ObjectMapper JSON = new ObjectMapper();

    private JsonFiles() {
    }

    /** The parsed file; a missing file is an error. */
    public static JsonNode read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw ModelException.of(file, "is missing");
        }
        try {
            JsonNode node = JSON.readTree(file.toFile());
            if (node == null || node.isMissingNode()) {
                throw ModelException.of(file, "is empty");
            }
            return node;
        } catch (IOException e) {
            throw ModelException.of(file, "is not valid JSON (" + e.getMessage() + ")", e);
        }
    }

    /** The parsed file, or an empty object when it does not exist (optional per-part configs). */
    public static JsonNode readOptional(Path file) {
        return Files.isRegularFile(file) ? read(file) : JSON.createObjectNode();
    }
}
