package io.qwenimage.engine.onnx;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.EnumMap;
import java.util.Map;

/**
 * One worker's scratch memory, kept from generation to generation: native-order direct buffers that ONNX Runtime
 * reads and writes in place (a tensor over a direct buffer is not copied), and float arrays for latents and
 * guidance. A worker serving requests of one size allocates nothing tensor-sized after its first generation.
 *
 * <p>Not thread-safe: each worker thread has its own ({@link #ofCurrentThread()}). Arrays are handed out
 * uncleared; callers overwrite every element.
 */
public final class Workspace {

    /** What a buffer or array is for; each role has one, so two roles never share memory. */
    public enum Role {
        UNET_SAMPLE, UNET_OUTPUT, UNET_CONTEXT, UNET_TIMESTEP, UNET_COND, UNET_TEXT_EMBEDS, UNET_TIME_IDS,
        LATENTS, MODEL_OUTPUT, GUIDED, NOISE, SEGMENT
    }

    private static final ThreadLocal<Workspace> PER_THREAD = ThreadLocal.withInitial(Workspace::new);

    private final Map<Role, ByteBuffer> direct = new EnumMap<>(Role.class);
    private final Map<Role, float[]> arrays = new EnumMap<>(Role.class);
    private long directAllocations;
    private long arrayAllocations;

    /** The calling thread's workspace. */
    public static Workspace ofCurrentThread() {
        return PER_THREAD.get();
    }

    /**
     * A native-order direct buffer of exactly {@code bytes} for {@code role}, position 0. Grows (doubling) when
     * too small; the previous buffer is then left to the garbage collector.
     */
    public ByteBuffer direct(Role role, int bytes) {
        ByteBuffer held = direct.get(role);
        if (held == null || held.capacity() < bytes) {
            int capacity = held == null ? bytes : Math.max(bytes, (int) Math.min(Integer.MAX_VALUE, 2L * held.capacity()));
            held = ByteBuffer.allocateDirect(capacity).order(ByteOrder.nativeOrder());
            direct.put(role, held);
            directAllocations++;
        }
        return held.duplicate().order(ByteOrder.nativeOrder()).position(0).limit(bytes).slice()
                .order(ByteOrder.nativeOrder());
    }

    /**
     * A float array of exactly {@code length} for {@code role}: the same one as last time when the length matches
     * (schedulers size their loops by the array length, so it cannot be longer).
     */
    public float[] floats(Role role, int length) {
        float[] held = arrays.get(role);
        if (held == null || held.length != length) {
            held = new float[length];
            arrays.put(role, held);
            arrayAllocations++;
        }
        return held;
    }

    /** Direct buffers allocated so far (a test sees the hot path stop allocating). */
    public long directAllocations() {
        return directAllocations;
    }

    /** Float arrays allocated so far. */
    public long arrayAllocations() {
        return arrayAllocations;
    }
}
