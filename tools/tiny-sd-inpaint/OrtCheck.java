import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs the tiny inpainting fixture's ONNX graphs in ONNX Runtime (the Java binding the engine uses) on the parity
 * inputs and compares with the PyTorch outputs of tools/tiny-sd-inpaint/reference.py (adapted from tiny-sdxl's
 * OrtCheck): first every graph part of manifest.txt, then, for every pipeline case, the text encoder on
 * {@code input_ids} / {@code negative_input_ids} against {@code prompt_embeds} / {@code negative_prompt_embeds}, the
 * 9-channel UNet on {@code latent_model_input_step1} (CFG batch [negative; positive]) against {@code unet_out_step1},
 * the VAE encoder on {@code masked_image} (and on {@code init_image} when strength &lt; 1) against
 * {@code masked_latent_parameters} ({@code latent_parameters}), and the decoder on {@code latent_sample} against
 * {@code image}. Prints the graphs' signatures as ORT reports them.
 *
 * <p>Usage (JDK 17, no build): {@code java -cp onnxruntime-1.24.1.jar tools/tiny-sd-inpaint/OrtCheck.java MODEL
 * PARITY} (MODEL PARITY: {@code src/test/resources/models/tiny-sd-inpaint tools/tiny-sd-inpaint/parity}).
 * Exit 1 if any relative difference exceeds 1e-4.
 */
public class OrtCheck {

    record Tensor(String dtype, long[] shape, Path file) {
        ByteBuffer bytes() throws Exception {
            return ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        }

        float[] floats() throws Exception {
            ByteBuffer b = bytes();
            float[] out = new float[b.remaining() / 4];
            b.asFloatBuffer().get(out);
            return out;
        }

        /** float32 values as they are, integer values widened (the timesteps: float32 for Euler, int64 for LCM). */
        double[] doubles() throws Exception {
            if (dtype.equals("float32")) {
                float[] f = floats();
                double[] out = new double[f.length];
                for (int i = 0; i < f.length; i++) {
                    out[i] = f[i];
                }
                return out;
            }
            return Arrays.stream(longs()).asDoubleStream().toArray();
        }

        long[] longs() throws Exception {
            ByteBuffer b = bytes();
            if (dtype.equals("int32")) {
                int[] v = new int[b.remaining() / 4];
                b.asIntBuffer().get(v);
                return Arrays.stream(v).asLongStream().toArray();
            }
            long[] out = new long[b.remaining() / 8];
            b.asLongBuffer().get(out);
            return out;
        }
    }

    static final Map<String, Map<String, Tensor>> IN = new LinkedHashMap<>();
    static final Map<String, Map<String, Tensor>> OUT = new LinkedHashMap<>();
    static OrtEnvironment env;
    static double worst = 0;

    public static void main(String[] args) throws Exception {
        Path model = Path.of(args[0]);
        Path parity = Path.of(args[1]);
        for (String line : Files.readAllLines(parity.resolve("manifest.txt"))) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.trim().split("\\s+");
            long[] shape = f[4].equals("-") ? new long[0]
                    : Arrays.stream(f[4].split(",")).mapToLong(Long::parseLong).toArray();
            (f[1].equals("in") ? IN : OUT).computeIfAbsent(f[0], k -> new LinkedHashMap<>())
                    .put(f[2], new Tensor(f[3], shape, parity.resolve(f[5])));
        }
        env = OrtEnvironment.getEnvironment();
        Map<String, OrtSession> sessions = new HashMap<>();
        for (String g : List.of("text_encoder", "unet", "vae_decoder", "vae_encoder")) {
            OrtSession s = env.createSession(model.resolve(g).resolve("model.onnx").toString(),
                    new OrtSession.SessionOptions());
            sessions.put(g, s);
            System.out.println(g + ": in " + describe(s.getInputInfo()) + "; out " + describe(s.getOutputInfo()));
        }
        // graph parts: every input of the part in, every output compared
        for (String part : OUT.keySet()) {
            if (!sessions.containsKey(part)) {
                continue;
            }
            Map<String, OnnxTensor> feeds = new HashMap<>();
            for (var e : IN.get(part).entrySet()) {
                feeds.put(e.getKey(), tensor(e.getValue(), typeOf(sessions.get(part), e.getKey()), e.getValue().shape));
            }
            try (OrtSession.Result r = sessions.get(part).run(feeds)) {
                for (var e : OUT.get(part).entrySet()) {
                    compare(part + "." + e.getKey(), r.get(e.getKey()).get(), e.getValue());
                }
            }
        }
        // pipeline cases
        OrtSession unet = sessions.get("unet");
        long[] tsShape = ((TensorInfo) unet.getInputInfo().get("timestep").getInfo()).getShape();
        for (String part : OUT.keySet()) {
            if (sessions.containsKey(part)) {
                continue;
            }
            Map<String, Tensor> o = OUT.get(part);
            Map<String, Tensor> in = IN.get(part);
            boolean cfg = o.containsKey("negative_prompt_embeds");
            encoder(sessions.get("text_encoder"), part, o, "");
            if (cfg) {
                encoder(sessions.get("text_encoder"), part, o, "negative_");
            }
            // the UNet's first call: 9 channels (latents, mask, masked-image latents), the case's first timestep
            Tensor sample = o.get("latent_model_input_step1");
            Map<String, OnnxTensor> feeds = new HashMap<>();
            feeds.put("sample", tensor(sample, OnnxJavaType.FLOAT, sample.shape));
            feeds.put("timestep", scalar((float) o.get("timesteps").doubles()[0], typeOf(unet, "timestep"),
                    tsShape.length == 0 ? new long[0] : new long[] {1}));
            feeds.put("encoder_hidden_states", batch(o, cfg, "negative_prompt_embeds", "prompt_embeds"));
            try (OrtSession.Result r = unet.run(feeds)) {
                compare(part + ".unet_out_step1", r.get("out_sample").get(), o.get("unet_out_step1"));
            }
            vaeEncoder(sessions.get("vae_encoder"), part + ".masked_latent_parameters", o.get("masked_image"),
                    o.get("masked_latent_parameters"));
            if (o.containsKey("latent_parameters")) {
                vaeEncoder(sessions.get("vae_encoder"), part + ".latent_parameters", in.get("init_image"),
                        o.get("latent_parameters"));
            }
            Tensor z = o.get("latent_sample");
            try (OrtSession.Result r = sessions.get("vae_decoder").run(
                    Map.of("latent_sample", tensor(z, OnnxJavaType.FLOAT, z.shape)))) {
                compare(part + ".image", r.get("sample").get(), o.get("image"));
            }
        }
        boolean ok = worst < 1e-4;
        System.out.println(ok ? "ONNX Runtime matches PyTorch (worst relative difference " + worst + ")"
                : "MISMATCH (worst relative difference " + worst + ")");
        System.exit(ok ? 0 : 1);
    }

    /** last_hidden_state of the text encoder = (negative_)prompt_embeds. */
    static void encoder(OrtSession s, String part, Map<String, Tensor> o, String side) throws Exception {
        Tensor ids = o.get(side + "input_ids");
        try (OrtSession.Result r = s.run(Map.of("input_ids", tensor(ids, typeOf(s, "input_ids"), ids.shape)))) {
            compare(part + "." + side + "prompt_embeds (ORT text encoder)", r.get("last_hidden_state").get(),
                    o.get(side + "prompt_embeds"));
        }
    }

    static void vaeEncoder(OrtSession s, String what, Tensor image, Tensor want) throws Exception {
        try (OrtSession.Result r = s.run(Map.of("sample", tensor(image, OnnxJavaType.FLOAT, image.shape)))) {
            compare(what, r.get("latent_parameters").get(), want);
        }
    }

    static OnnxTensor batch(Map<String, Tensor> o, boolean cfg, String neg, String pos) throws Exception {
        Tensor p = o.get(pos);
        if (!cfg) {
            return tensor(p, OnnxJavaType.FLOAT, p.shape);
        }
        float[] a = o.get(neg).floats();
        float[] b = p.floats();
        float[] both = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        long[] shape = p.shape.clone();
        shape[0] *= 2;
        return OnnxTensor.createTensor(env, java.nio.FloatBuffer.wrap(both), shape);
    }

    static OnnxJavaType typeOf(OrtSession s, String input) throws Exception {
        return ((TensorInfo) s.getInputInfo().get(input).getInfo()).type;
    }

    static OnnxTensor tensor(Tensor t, OnnxJavaType type, long[] shape) throws Exception {
        return switch (type) {
            case FLOAT -> OnnxTensor.createTensor(env, java.nio.FloatBuffer.wrap(t.floats()), shape);
            case INT64 -> OnnxTensor.createTensor(env, java.nio.LongBuffer.wrap(t.longs()), shape);
            case INT32 -> OnnxTensor.createTensor(env,
                    java.nio.IntBuffer.wrap(Arrays.stream(t.longs()).mapToInt(Math::toIntExact).toArray()), shape);
            default -> throw new IllegalArgumentException("type " + type);
        };
    }

    static OnnxTensor scalar(float v, OnnxJavaType type, long[] shape) throws Exception {
        return switch (type) {
            case FLOAT -> OnnxTensor.createTensor(env, java.nio.FloatBuffer.wrap(new float[] {v}), shape);
            case INT64 -> OnnxTensor.createTensor(env, java.nio.LongBuffer.wrap(new long[] {Math.round(v)}), shape);
            case INT32 -> OnnxTensor.createTensor(env, java.nio.IntBuffer.wrap(new int[] {Math.round(v)}), shape);
            default -> throw new IllegalArgumentException("type " + type);
        };
    }

    static float[] floats(OnnxTensor t) {
        java.nio.FloatBuffer b = t.getFloatBuffer();
        float[] out = new float[b.remaining()];
        b.get(out);
        return out;
    }

    static void compare(String what, Object got, Tensor want) throws Exception {
        OnnxTensor t = (OnnxTensor) got;
        long[] shape = t.getInfo().getShape();
        if (!Arrays.equals(shape, want.shape)) {
            throw new IllegalStateException(what + ": shape " + Arrays.toString(shape) + " != "
                    + Arrays.toString(want.shape));
        }
        compare(what, floats(t), want.floats());
    }

    static void compare(String what, float[] got, float[] want) {
        if (got.length != want.length) {
            throw new IllegalStateException(what + ": " + got.length + " values, expected " + want.length);
        }
        double err = 0;
        double scale = 0;
        for (int i = 0; i < want.length; i++) {
            err = Math.max(err, Math.abs(got[i] - want[i]));
            scale = Math.max(scale, Math.abs(want[i]));
        }
        worst = Math.max(worst, err / Math.max(scale, 1));
        System.out.printf("%-58s max |ort - torch| = %.2e (max |torch| %.3f)%n", what, err, scale);
    }

    static String describe(Map<String, NodeInfo> info) {
        List<String> parts = new ArrayList<>();
        for (var e : info.entrySet()) {
            TensorInfo t = (TensorInfo) e.getValue().getInfo();
            parts.add(e.getKey() + " " + t.type + Arrays.toString(t.getShape()));
        }
        return String.join(", ", parts);
    }
}
