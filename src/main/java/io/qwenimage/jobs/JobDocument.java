package io.qwenimage.jobs;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * A job's status document (JSON), serialized once and shared by every reader: the UTF-8 bytes live in one
 * read-only direct buffer, and each reader gets a {@link #view()} of it (its own position, the same memory), so
 * that N readers of a finished job with a 12 MB result hold one copy of it, not N. Direct memory: a network
 * layer writes it to a socket without copying it to the native side first.
 */
public final class JobDocument {

    private final ByteBuffer bytes;
    private volatile String text;

    private JobDocument(ByteBuffer bytes) {
        this.bytes = bytes;
    }

    /** The document of these UTF-8 JSON bytes (copied once, into the shared buffer). */
    public static JobDocument of(byte[] utf8) {
        ByteBuffer direct = ByteBuffer.allocateDirect(utf8.length);
        direct.put(utf8).flip();
        return new JobDocument(direct.asReadOnlyBuffer());
    }

    public static JobDocument of(String json) {
        return of(json.getBytes(StandardCharsets.UTF_8));
    }

    /** Bytes it takes. */
    public int size() {
        return bytes.capacity();
    }

    /** The bytes, for one reader: read-only, positioned at the start, sharing the memory. */
    public ByteBuffer view() {
        return bytes.duplicate();
    }

    /** The JSON text, decoded on first use and then shared (for writers that need a string, such as SSE). */
    public String text() {
        String t = text;
        if (t == null) {
            t = StandardCharsets.UTF_8.decode(view()).toString();
            text = t;
        }
        return t;
    }
}
