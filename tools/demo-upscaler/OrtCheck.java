import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs the demo upscaler's ONNX graph in ONNX Runtime (the Java binding the service uses) on the parity input and
 * compares with the PyTorch module's output written by tools/demo-upscaler/export_onnx.py; then runs a second,
 * differently shaped input (batch 2, 17x31) to show the batch and spatial axes are dynamic.
 *
 * <p>Usage (JDK 17, no build): {@code java -cp onnxruntime-1.24.1.jar tools/demo-upscaler/OrtCheck.java MODEL PARITY}
 * (MODEL: models/demo-upscaler/model.onnx, PARITY: src/test/resources/upscaler-parity). Exit 1 if the largest
 * absolute difference exceeds the manifest's tolerance (1e-4) or a shape is wrong.
 */
public class OrtCheck {

    static long[] shapeOf(String manifest, String name) {
        Matcher m = Pattern.compile("\"name\":\\s*\"" + name + "\".*?\"shape\":\\s*\\[([^\\]]*)\\]", Pattern.DOTALL)
                .matcher(manifest);
        if (!m.find()) {
            throw new IllegalStateException("no shape for " + name + " in manifest.json");
        }
        return Arrays.stream(m.group(1).split(",")).map(String::trim).mapToLong(Long::parseLong).toArray();
    }

    static float[] floats(Path file) throws Exception {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        float[] out = new float[b.remaining() / 4];
        b.asFloatBuffer().get(out);
        return out;
    }

    static String describe(Map<String, NodeInfo> infos) {
        StringBuilder s = new StringBuilder();
        for (NodeInfo n : infos.values()) {
            TensorInfo t = (TensorInfo) n.getInfo();
            s.append(n.getName()).append(' ').append(t.type).append(' ')
                    .append(Arrays.toString(t.getShape())).append(' ').append(Arrays.toString(t.getDimensionNames()));
        }
        return s.toString();
    }

    public static void main(String[] args) throws Exception {
        Path model = Path.of(args[0]);
        Path parity = Path.of(args[1]);
        String manifest = Files.readString(parity.resolve("manifest.json"));
        long[] inShape = shapeOf(manifest, "input");
        long[] outShape = shapeOf(manifest, "output");
        double tolerance = Double.parseDouble(manifest.replaceAll("(?s).*\"tolerance\":\\s*([0-9.eE+-]+).*", "$1"));
        float[] input = floats(parity.resolve("input.bin"));
        float[] expected = floats(parity.resolve("output.bin"));
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        boolean ok = true;
        try (OrtSession session = env.createSession(model.toString(), new OrtSession.SessionOptions())) {
            System.out.println("ORT " + env.getVersion() + "; in " + describe(session.getInputInfo())
                    + "; out " + describe(session.getOutputInfo()));
            try (OnnxTensor x = OnnxTensor.createTensor(env, FloatBuffer.wrap(input), inShape);
                 OrtSession.Result r = session.run(Map.of("input", x))) {
                OnnxTensor y = (OnnxTensor) r.get("output").get();
                long[] shape = y.getInfo().getShape();
                float[] got = new float[y.getFloatBuffer().remaining()];
                y.getFloatBuffer().get(got);
                double worst = 0;
                for (int i = 0; i < got.length; i++) {
                    worst = Math.max(worst, Math.abs(got[i] - expected[i]));
                }
                boolean shapeOk = Arrays.equals(shape, outShape) && got.length == expected.length;
                ok &= shapeOk && worst <= tolerance;
                System.out.printf("parity %s -> %s (expected %s): max abs diff vs PyTorch %.3g (tolerance %.0e) %s%n",
                        Arrays.toString(inShape), Arrays.toString(shape), Arrays.toString(outShape), worst, tolerance,
                        shapeOk && worst <= tolerance ? "OK" : "FAILED");
            }
            long[] other = {2, 3, 17, 31};
            float[] data = new float[2 * 3 * 17 * 31];
            for (int i = 0; i < data.length; i++) {
                data[i] = (i * 37 % 101) / 100f;
            }
            try (OnnxTensor x = OnnxTensor.createTensor(env, FloatBuffer.wrap(data), other);
                 OrtSession.Result r = session.run(Map.of("input", x))) {
                long[] shape = ((OnnxTensor) r.get("output").get()).getInfo().getShape();
                boolean shapeOk = Arrays.equals(shape, new long[] {2, 3, 68, 124});
                ok &= shapeOk;
                System.out.println("dynamic axes: " + Arrays.toString(other) + " -> " + Arrays.toString(shape)
                        + (shapeOk ? " OK" : " FAILED"));
            }
        }
        System.exit(ok ? 0 : 1);
    }
}
