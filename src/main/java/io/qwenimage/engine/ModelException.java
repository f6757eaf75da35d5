package io.qwenimage.engine;

import java.nio.file.Path;

/**
 * A model folder that cannot be used: a missing or malformed file, or a graph whose inputs and outputs are not
 * those of a Stable Diffusion export. The message names the file and what is wrong with it.
 */
public class ModelException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public ModelException(String message) {
        super(message);
    }

    public ModelException(String message, Throwable cause) {
        super(message, cause);
    }

    /** The standard wording: "{file}: {problem}". */
    public static ModelException of(Path file, String problem) {
        return new ModelException(file + ": " + problem);
    }

    /** The standard wording with the underlying cause. */
    public static ModelException of(Path file, String problem, Throwable cause) {
        return new ModelException(file + ": " + problem, cause);
    }
}
