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
import java.nio.ShortBuffer;

/** Builds input tensors in whatever element type a graph declares, and reads outputs back as float32. */
public final class Tensors {

    private Tensors() {
    }

    /** A float tensor in the graph's type (float32, float16, bfloat16 or float64). */
    public static OnnxTensor floats(OrtEnvironment env, OnnxJavaType type, float[] data, long[] shape)
            throws OrtException {
        return switch (type) {
            case FLOAT -> LiveValues.track(OnnxTensor.createTensor(env, FloatBuffer.wrap(data), shape));
            case FLOAT16, BFLOAT16 -> {
                ByteBuffer buf = ByteBuffer.allocateDirect(data.length * 2).order(ByteOrder.nativeOrder());
                ShortBuffer shorts = buf.asShortBuffer();
                for (float v : data) {
                    shorts.put(type == OnnxJavaType.FLOAT16 ? Fp16Conversions.floatToFp16(v)
                            : Fp16Conversions.floatToBf16(v));
                }
                yield LiveValues.track(OnnxTensor.createTensor(env, buf, shape, type));
            }
            case DOUBLE -> {
                double[] d = new double[data.length];
                for (int i = 0; i < d.length; i++) {
                    d[i] = data[i];
                }
                yield LiveValues.track(OnnxTensor.createTensor(env, java.nio.DoubleBuffer.wrap(d), shape));
            }
            default -> throw new IllegalArgumentException("not a float type: " + type);
        };
    }

    /** An integer tensor (token ids, integer timesteps) in the graph's type (int32 or int64); also accepts floats. */
    public static OnnxTensor numbers(OrtEnvironment env, OnnxJavaType type, double[] data, long[] shape)
            throws OrtException {
        return switch (type) {
            case INT64 -> {
                long[] v = new long[data.length];
                for (int i = 0; i < v.length; i++) {
                    v[i] = Math.round(data[i]);
                }
                yield LiveValues.track(OnnxTensor.createTensor(env, java.nio.LongBuffer.wrap(v), shape));
            }
            case INT32 -> {
                int[] v = new int[data.length];
                for (int i = 0; i < v.length; i++) {
                    v[i] = (int) Math.round(data[i]);
                }
                yield LiveValues.track(OnnxTensor.createTensor(env, java.nio.IntBuffer.wrap(v), shape));
            }
            default -> {
                float[] f = new float[data.length];
                for (int i = 0; i < f.length; i++) {
                    f[i] = (float) data[i];
                }
                yield floats(env, type, f, shape);
            }
        };
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
