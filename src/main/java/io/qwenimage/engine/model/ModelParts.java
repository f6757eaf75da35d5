package io.qwenimage.engine.model;

import java.nio.file.Path;
import java.util.List;

/** Closing a model's sessions and tokenizer: all of them, even when one close fails. */
final class ModelParts {

    private ModelParts() {
    }

    /**
     * Closes every non-null part; the first failure is thrown (naming the folder) once all were tried, later ones
     * suppressed in it.
     */
    static void closeAll(Path folder, AutoCloseable... parts) {
        RuntimeException failure = null;
        for (AutoCloseable c : parts) {
            if (c == null) {
                continue;
            }
            try {
                c.close();
            } catch (Exception e) {
                if (failure == null) {
                    failure = new IllegalStateException("closing " + folder + " failed", e);
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    /** Opens {@code file}'s session and records it in {@code opened}, so that a later failure of the load closes it. */
    static ai.onnxruntime.OrtSession open(io.qwenimage.engine.onnx.SessionFactory sessions, Path file,
                                          List<AutoCloseable> opened) {
        ai.onnxruntime.OrtSession s = sessions.open(file);
        opened.add(s);
        return s;
    }

    /** What was opened before a load failed, closed; their own failures are added to {@code cause}. */
    static void closeAfterFailure(List<AutoCloseable> opened, RuntimeException cause) {
        for (AutoCloseable c : opened) {
            try {
                c.close();
            } catch (Exception suppressed) {
                cause.addSuppressed(suppressed);
            }
        }
    }
}
