package io.qwenimage.engine;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import ai.onnxruntime.platform.Fp16Conversions;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The demo model's ONNX graphs, in all three export conventions, give the outputs of the PyTorch modules they
 * were exported from (fixtures written by {@code tools/demo-model/export_onnx.py}), and run at other batch and
 * spatial sizes. Inputs are built in whatever element type and rank each session declares, as the engine must.
 */
class DemoModelParityTest {

    private static final Path FIXTURES = Path.of("src/test/resources/models/demo-parity");
    private static final OrtEnvironment ENV = OrtEnvironment.getEnvironment();

    record Fixture(String part, String kind, String name, String dtype, long[] shape, Path file) {
    }

    static Stream<Arguments> variants() {
        // fp16 graphs keep float32 arithmetic inside, so only the float16 rounding of inputs and outputs differs
        return Stream.of("text_encoder", "unet", "vae_decoder", "vae_encoder").flatMap(part -> Stream.of(
                Arguments.of(Path.of("models/demo"), part, 1e-4),
                Arguments.of(Path.of("src/test/resources/models/demo-legacy"), part, 1e-4),
                Arguments.of(Path.of("src/test/resources/models/demo-fp16"), part, 1e-2)));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("variants")
    void onnxOutputsMatchPyTorch(Path model, String part, double tolerance) throws Exception {
        List<Fixture> fixtures = fixtures(part);
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions();
             OrtSession session = ENV.createSession(model.resolve(part).resolve("model.onnx").toString(), options)) {
            Map<String, OnnxTensor> inputs = new HashMap<>();
            try {
                for (Fixture f : fixtures) {
                    if (f.kind().equals("in")) {
                        assertThat(session.getInputInfo()).containsKey(f.name());
                        TensorInfo info = (TensorInfo) session.getInputInfo().get(f.name()).getInfo();
                        long[] shape = f.shape();
                        float[] values = readFloats(f);
                        if (f.name().equals("timestep") && info.getShape().length == 1) {
                            shape = new long[] {2};             // legacy exports take one timestep per batch entry
                            values = new float[] {values[0], values[0]};
                        }
                        inputs.put(f.name(), tensor(info.type, values, shape));
                    }
                }
                try (OrtSession.Result result = session.run(inputs)) {
                    for (Fixture f : fixtures) {
                        if (f.kind().equals("out")) {
                            compare(result, f, tolerance);
                        }
                    }
                }
            } finally {
                inputs.values().forEach(OnnxTensor::close);
            }
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("variants")
    void runsAtOtherBatchAndSpatialSizes(Path model, String part, double unused) throws Exception {
        long[] in = switch (part) {
            case "unet" -> new long[] {3, 4, 12, 16};
            case "vae_decoder" -> new long[] {1, 4, 16, 12};
            case "vae_encoder" -> new long[] {1, 3, 128, 96};
            default -> new long[] {3, 77};
        };
        long[] out = runAt(model, part, in);
        switch (part) {
            case "unet" -> assertThat(out).containsExactly(3, 4, 12, 16);
            case "vae_decoder" -> assertThat(out).containsExactly(1, 3, 128, 96);
            case "vae_encoder" -> assertThat(new long[] {out[0], out[2], out[3]}).containsExactly(1, 16, 12);
            default -> assertThat(out).containsExactly(3, 77, 64);
        }
    }

    /** 2048x2048 pixels (256x256 latents, CFG batch 2): runs without exhausting memory. Slow, so opt-in. */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("variants")
    @EnabledIfSystemProperty(named = "qwen.test.big-sizes", matches = "true")
    void runsAtTheLargestSize(Path model, String part, double unused) throws Exception {
        long[] in = switch (part) {
            case "unet" -> new long[] {2, 4, 256, 256};
            case "vae_decoder" -> new long[] {1, 4, 256, 256};
            case "vae_encoder" -> new long[] {1, 3, 2048, 2048};
            default -> new long[] {2, 77};
        };
        long start = System.nanoTime();
        long[] out = runAt(model, part, in);
        System.out.printf("%s %s at %s -> %s in %.1f s%n", model, part,
                Arrays.toString(in), Arrays.toString(out), (System.nanoTime() - start) / 1e9);
        assertThat(out[0]).isEqualTo(in[0]);
    }

    private static long[] runAt(Path model, String part, long[] mainShape) throws OrtException {
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions();
             OrtSession session = ENV.createSession(model.resolve(part).resolve("model.onnx").toString(), options)) {
            Map<String, OnnxTensor> inputs = new HashMap<>();
            try {
                for (Map.Entry<String, NodeInfo> e : session.getInputInfo().entrySet()) {
                    TensorInfo info = (TensorInfo) e.getValue().getInfo();
                    long[] shape = switch (e.getKey()) {
                        case "timestep" -> info.getShape().length == 0 ? new long[0] : new long[] {mainShape[0]};
                        case "encoder_hidden_states" -> new long[] {mainShape[0], 77, 64};
                        default -> mainShape;
                    };
                    float[] values = new float[(int) Arrays.stream(shape).reduce(1, (a, b) -> a * b)];
                    for (int i = 0; i < values.length; i++) {
                        values[i] = switch (e.getKey()) {
                            case "timestep" -> 500f;
                            case "input_ids" -> 1;
                            default -> (float) Math.sin(i * 0.37);
                        };
                    }
                    inputs.put(e.getKey(), tensor(info.type, values, shape));
                }
                try (OrtSession.Result result = session.run(inputs)) {
                    return ((OnnxTensor) result.get(0)).getInfo().getShape();
                }
            } finally {
                inputs.values().forEach(OnnxTensor::close);
            }
        }
    }

    private static void compare(OrtSession.Result result, Fixture f, double tolerance) throws IOException {
        float[] want = readFloats(f);
        if (result.get(f.name()).isPresent()) {
            float[] got = floats((OnnxTensor) result.get(f.name()).get());
            assertThat(got).hasSameSizeAs(want);
            double worst = 0;
            for (int i = 0; i < want.length; i++) {
                worst = Math.max(worst, Math.abs(want[i] - got[i]));
            }
            System.out.printf("parity %s %s: max |onnx - torch| = %.2g%n", f.file().getFileName(), f.name(), worst);
            assertThat(worst).as("max |onnx - torch| of %s", f.name()).isLessThanOrEqualTo(tolerance);
            return;
        }
        // legacy encoders return latent_sample = mean + std * N(0,1) where the fixture holds mean || logvar
        assertThat(f.name()).isEqualTo("latent_parameters");
        float[] got = floats((OnnxTensor) result.get("latent_sample").orElseThrow());
        int channels = (int) f.shape()[1];
        int half = channels / 2;
        int plane = (int) (f.shape()[2] * f.shape()[3]);
        assertThat(got).hasSize(want.length / 2);
        for (int b = 0; b < f.shape()[0]; b++) {
            for (int c = 0; c < half; c++) {
                for (int p = 0; p < plane; p++) {
                    float mean = want[(b * channels + c) * plane + p];
                    double logvar = Math.max(-30, Math.min(20, want[(b * channels + c + half) * plane + p]));
                    double std = Math.exp(0.5 * logvar);
                    assertThat((double) Math.abs(got[(b * half + c) * plane + p] - mean)).isLessThanOrEqualTo(6 * std + 1e-4);
                }
            }
        }
    }

    private static OnnxTensor tensor(OnnxJavaType type, float[] values, long[] shape) throws OrtException {
        ByteBuffer buf = ByteBuffer.allocateDirect(values.length * 8).order(ByteOrder.nativeOrder());
        for (float v : values) {
            switch (type) {
                case INT64 -> buf.putLong((long) v);
                case INT32 -> buf.putInt((int) v);
                case FLOAT16 -> buf.putShort(Fp16Conversions.floatToFp16(v));
                case FLOAT -> buf.putFloat(v);
                default -> throw new IllegalArgumentException("unexpected input type " + type);
            }
        }
        buf.flip();
        return OnnxTensor.createTensor(ENV, buf, shape, type);
    }

    private static float[] floats(OnnxTensor t) {
        FloatBuffer fb = t.getInfo().type == OnnxJavaType.FLOAT16
                ? Fp16Conversions.convertFp16BufferToFloatBuffer(t.getShortBuffer())
                : t.getFloatBuffer();
        float[] out = new float[fb.remaining()];
        fb.get(out);
        return out;
    }

    private static float[] readFloats(Fixture f) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(f.file())).order(ByteOrder.LITTLE_ENDIAN);
        if (f.dtype().equals("float32")) {
            float[] out = new float[b.remaining() / 4];
            b.asFloatBuffer().get(out);
            return out;
        }
        assertThat(f.dtype()).isEqualTo("int64");
        LongBuffer lb = b.asLongBuffer();
        float[] out = new float[lb.remaining()];
        for (int i = 0; i < out.length; i++) {
            out[i] = lb.get(i);
        }
        return out;
    }

    private static List<Fixture> fixtures(String part) throws IOException {
        List<Fixture> out = new ArrayList<>();
        for (String line : Files.readAllLines(FIXTURES.resolve("manifest.txt"))) {
            String[] f = line.trim().split(" ");
            if (line.isBlank() || line.startsWith("#") || !f[0].equals(part)) {
                continue;
            }
            long[] shape = f[4].equals("-") ? new long[0]
                    : Arrays.stream(f[4].split(",")).mapToLong(Long::parseLong).toArray();
            out.add(new Fixture(f[0], f[1], f[2], f[3], shape, FIXTURES.resolve(f[5])));
        }
        assertThat(out).isNotEmpty();
        return out;
    }
}
