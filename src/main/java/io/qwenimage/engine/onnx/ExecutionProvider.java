package io.qwenimage.engine.onnx;

import java.util.Locale;

/** Where ONNX Runtime runs the graphs: the CPU, a CUDA GPU, or CUDA when it loads and the CPU otherwise. */
public enum ExecutionProvider {
    CPU, CUDA, AUTO;

    /** Parses "cpu", "cuda" or "auto" (case-insensitive). */
    public static ExecutionProvider parse(String value) {
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "cpu" -> CPU;
            case "cuda", "gpu" -> CUDA;
            case "auto" -> AUTO;
            default -> throw new IllegalArgumentException("execution provider must be cpu, cuda or auto, not '"
                    + value + "'");
        };
    }
}
