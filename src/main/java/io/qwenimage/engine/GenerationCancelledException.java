package io.qwenimage.engine;

/** A generation stopped by its {@link CancellationToken}: by a client, a deadline or shutdown. */
public class GenerationCancelledException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public GenerationCancelledException(String reason) {
        super(reason);
    }
}
