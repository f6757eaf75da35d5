package io.qwenimage.engine.image;

/** The pictures being decoded already take the decode budget: this one is refused until some finish. */
public class DecodeBudgetExceededException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final long requested;
    private final long capacity;

    public DecodeBudgetExceededException(long requested, long inFlight, long capacity) {
        super("the pictures being decoded take " + inFlight + " of " + capacity + " bytes; this one needs "
                + requested + " more; retry shortly");
        this.requested = requested;
        this.capacity = capacity;
    }

    /** Bytes this picture's decoding was estimated to need. */
    public long requested() {
        return requested;
    }

    /** The budget, bytes. */
    public long capacity() {
        return capacity;
    }
}
