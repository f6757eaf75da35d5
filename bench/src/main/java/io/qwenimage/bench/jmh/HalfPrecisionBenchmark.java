package io.qwenimage.bench.jmh;

import ai.onnxruntime.OnnxJavaType;
import io.qwenimage.engine.onnx.Tensors;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * float32 to float16 and back for one CFG UNet call of an fp16 export at 512x512 (2x4x64x64 values): what a step
 * adds on the way in (scaled latents into the pinned input) and on the way out (prediction into floats).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class HalfPrecisionBenchmark {

    static final int VALUES = 2 * 4 * 64 * 64;

    private final float[] floats = new float[VALUES];
    private final float[] back = new float[VALUES];
    private final ByteBuffer half = ByteBuffer.allocateDirect(VALUES * 2).order(ByteOrder.nativeOrder());
    private final ByteBuffer single = ByteBuffer.allocateDirect(VALUES * 4).order(ByteOrder.nativeOrder());

    @Setup
    public void fill() {
        Random random = new Random(7);
        for (int i = 0; i < VALUES; i++) {
            floats[i] = (float) random.nextGaussian();
        }
        Tensors.put(half, OnnxJavaType.FLOAT16, 0, floats, 0, VALUES, 1f);
    }

    @Benchmark
    public ByteBuffer toFp16() {
        Tensors.put(half, OnnxJavaType.FLOAT16, 0, floats, 0, VALUES, 0.5f);
        return half;
    }

    @Benchmark
    public float[] fromFp16() {
        Tensors.get(half, OnnxJavaType.FLOAT16, back);
        return back;
    }

    /** The float32 path for comparison: the same copy without conversion. */
    @Benchmark
    public ByteBuffer toFp32() {
        Tensors.put(single, OnnxJavaType.FLOAT, 0, floats, 0, VALUES, 0.5f);
        return single;
    }
}
