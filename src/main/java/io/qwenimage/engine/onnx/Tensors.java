package io.qwenimage.engine.onnx;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.platform.Fp16Conversions;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;

/** Builds input tensors in whatever element type a graph declares, and reads outputs back as float32. */
public final class Tensors {

    private Tensors() {
    }

    /** A float tensor in the graph's type (float32, float16, bfloat16 or float64), in memory of its own. */
    public static OnnxTensor floats(OrtEnvironment env, OnnxJavaType type, float[] data, long[] shape)
            throws OrtException {
        if (type != OnnxJavaType.FLOAT && type != OnnxJavaType.FLOAT16 && type != OnnxJavaType.BFLOAT16
                && type != OnnxJavaType.DOUBLE) {
            throw new IllegalArgumentException("not a float type: " + type);
        }
        ByteBuffer memory = direct(data.length, type);
        put(memory, type, 0, data, 0, data.length, 1f);
        return over(env, memory, type, shape);
    }

    /** An integer tensor (token ids, integer timesteps) in the graph's type (int32 or int64); also accepts floats. */
    public static OnnxTensor numbers(OrtEnvironment env, OnnxJavaType type, double[] data, long[] shape)
            throws OrtException {
        ByteBuffer memory = direct(data.length, type);
        for (int i = 0; i < data.length; i++) {
            putNumber(memory, type, i, data[i]);
        }
        return over(env, memory, type, shape);
    }

    private static ByteBuffer direct(int elements, OnnxJavaType type) {
        return ByteBuffer.allocateDirect(elements * elementBytes(type)).order(ByteOrder.nativeOrder());
    }

    /** Bytes one element of a float tensor of {@code type} takes. */
    public static int elementBytes(OnnxJavaType type) {
        return switch (type) {
            case FLOAT -> 4;
            case FLOAT16, BFLOAT16 -> 2;
            case DOUBLE -> 8;
            case INT64 -> 8;
            case INT32 -> 4;
            default -> throw new IllegalArgumentException("not a numeric type: " + type);
        };
    }

    /**
     * A tensor over {@code buffer} (native order, direct): ONNX Runtime reads and writes that memory in place, so
     * rewriting the buffer changes the tensor's value without a new tensor.
     */
    public static OnnxTensor over(OrtEnvironment env, ByteBuffer buffer, OnnxJavaType type, long[] shape)
            throws OrtException {
        return LiveValues.track(switch (type) {
            case FLOAT -> OnnxTensor.createTensor(env, buffer.asFloatBuffer(), shape);
            case DOUBLE -> OnnxTensor.createTensor(env, buffer.asDoubleBuffer(), shape);
            case INT64 -> OnnxTensor.createTensor(env, buffer.asLongBuffer(), shape);
            case INT32 -> OnnxTensor.createTensor(env, buffer.asIntBuffer(), shape);
            case FLOAT16, BFLOAT16 -> OnnxTensor.createTensor(env, buffer, shape, type);
            default -> throw new IllegalArgumentException("unsupported tensor type: " + type);
        });
    }

    /**
     * Writes {@code count} values of {@code source} from {@code from}, each times {@code scale}, into
     * {@code target} at element {@code at}, converted to {@code type}.
     */
    public static void put(ByteBuffer target, OnnxJavaType type, int at, float[] source, int from, int count,
                           float scale) {
        switch (type) {
            case FLOAT -> {
                for (int k = 0; k < count; k++) {
                    target.putFloat((at + k) << 2, source[from + k] * scale);
                }
            }
            case FLOAT16 -> {
                for (int k = 0; k < count; k++) {
                    target.putShort((at + k) << 1, Fp16Conversions.floatToFp16(source[from + k] * scale));
                }
            }
            case BFLOAT16 -> {
                for (int k = 0; k < count; k++) {
                    target.putShort((at + k) << 1, Fp16Conversions.floatToBf16(source[from + k] * scale));
                }
            }
            case DOUBLE -> {
                for (int k = 0; k < count; k++) {
                    target.putDouble((at + k) << 3, (double) source[from + k] * scale);
                }
            }
            default -> throw new IllegalArgumentException("not a float type: " + type);
        }
    }

    /** Writes one number at element {@code at} of {@code target}, converted to {@code type}. */
    public static void putNumber(ByteBuffer target, OnnxJavaType type, int at, double value) {
        switch (type) {
            case INT64 -> target.putLong(at << 3, Math.round(value));
            case INT32 -> target.putInt(at << 2, (int) Math.round(value));
            case FLOAT -> target.putFloat(at << 2, (float) value);
            case DOUBLE -> target.putDouble(at << 3, value);
            case FLOAT16 -> target.putShort(at << 1, Fp16Conversions.floatToFp16((float) value));
            case BFLOAT16 -> target.putShort(at << 1, Fp16Conversions.floatToBf16((float) value));
            default -> throw new IllegalArgumentException("not a numeric type: " + type);
        }
    }

    /** Reads {@code into.length} values of {@code type} from {@code source} as float32. */
    public static void get(ByteBuffer source, OnnxJavaType type, float[] into) {
        switch (type) {
            case FLOAT -> source.asFloatBuffer().get(0, into);
            case FLOAT16 -> {
                for (int k = 0; k < into.length; k++) {
                    into[k] = Fp16Conversions.fp16ToFloat(source.getShort(k << 1));
                }
            }
            case BFLOAT16 -> {
                for (int k = 0; k < into.length; k++) {
                    into[k] = Fp16Conversions.bf16ToFloat(source.getShort(k << 1));
                }
            }
            case DOUBLE -> {
                for (int k = 0; k < into.length; k++) {
                    into[k] = (float) source.getDouble(k << 3);
                }
            }
            default -> throw new IllegalArgumentException("not a float output: " + type);
        }
    }

    /** Registers every value of a run's result with {@link LiveValues}; returns the result. */
    public static OrtSession.Result tracked(OrtSession.Result result) {
        for (var entry : result) {
            LiveValues.track(entry.getValue());
        }
        return result;
    }

    /** Reads a float32/float16/bfloat16 output into a new float array. */
    public static float[] toFloats(OnnxTensor tensor) {
        OnnxJavaType type = tensor.getInfo().type;
        FloatBuffer fb = switch (type) {
            case FLOAT -> tensor.getFloatBuffer();
            case FLOAT16 -> Fp16Conversions.convertFp16BufferToFloatBuffer(tensor.getShortBuffer());
            case BFLOAT16 -> Fp16Conversions.convertBf16BufferToFloatBuffer(tensor.getShortBuffer());
            default -> throw new IllegalArgumentException("not a float output: " + type);
        };
        float[] out = new float[fb.remaining()];
        fb.get(out);
        return out;
    }
}
