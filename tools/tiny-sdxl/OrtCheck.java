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
 * Runs the tiny SDXL fixture's ONNX graphs in ONNX Runtime (the Java binding the engine uses) on the parity inputs
 * and compares with the PyTorch outputs of tools/tiny-sdxl/reference.py (or reference_lcm.py for the LCM variant):
 * first every graph part of manifest.txt, then, for every pipeline case, each recorded UNet call
 * ({@code latent_model_input_stepK} -> {@code unet_out_stepK}; with {@code timestep_cond} when the UNet takes it), the
 * decoder, the encoder for image-to-image, and the text encoders' hidden_states[-2] and pooled outputs against
 * prompt_embeds / pooled_prompt_embeds. Prints the graphs' signatures as ORT reports them.
 *
 * <p>Usage (JDK 17, no build): {@code java -cp onnxruntime-1.24.1.jar tools/tiny-sdxl/OrtCheck.java MODEL PARITY}
 * (MODEL PARITY: {@code src/test/resources/models/tiny-sdxl parity} or {@code .../tiny-lcm-sdxl parity-lcm}).
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
        for (String g : List.of("text_encoder", "text_encoder_2", "unet", "vae_decoder", "vae_encoder")) {
            OrtSession s = env.createSession(model.resolve(g).resolve("model.onnx").toString(),
                    new OrtSession.SessionOptions());
            sessions.put(g, s);
            System.out.println(g + ": in " + describe(s.getInputInfo()) + "; out " + describe(s.getOutputInfo()));
        }
        // graph parts: every input of the part in, every output compared
        for (String part : OUT.keySet()) {
            String graph = part.startsWith("unet") ? "unet" : part;
            if (!sessions.containsKey(graph)) {
                continue;
            }
            Map<String, OnnxTensor> feeds = new HashMap<>();
            for (var e : IN.get(part).entrySet()) {
                feeds.put(e.getKey(), tensor(e.getValue(), typeOf(sessions.get(graph), e.getKey()), e.getValue().shape));
            }
            try (OrtSession.Result r = sessions.get(graph).run(feeds)) {
                for (var e : OUT.get(part).entrySet()) {
                    compare(part + "." + e.getKey(), r.get(e.getKey()).get(), e.getValue());
                }
            }
        }
        // pipeline cases
        for (String part : OUT.keySet()) {
            if (sessions.containsKey(part.startsWith("unet") ? "unet" : part)) {
                continue;
            }
            Map<String, Tensor> o = OUT.get(part);
            checkEncoders(sessions, part, o, "");
            if (o.containsKey("negative_input_ids")) {
                checkEncoders(sessions, part, o, "negative_");
            }
            OrtSession unet = sessions.get("unet");
            boolean cfg = o.containsKey("negative_prompt_embeds");
            long[] tsShape = ((TensorInfo) unet.getInputInfo().get("timestep").getInfo()).getShape();
            double[] timesteps = o.get("timesteps").doubles();
            // every UNet call the case records (tiny-sdxl: the first; tiny-lcm-sdxl: each step's)
            for (int k = 1; o.containsKey("latent_model_input_step" + k); k++) {
                Map<String, OnnxTensor> feeds = new HashMap<>();
                Tensor sample = o.get("latent_model_input_step" + k);
                feeds.put("sample", tensor(sample, OnnxJavaType.FLOAT, sample.shape));
                feeds.put("timestep", scalar((float) timesteps[k - 1], typeOf(unet, "timestep"),
                        tsShape.length == 0 ? new long[0] : new long[] {1}));
                feeds.put("encoder_hidden_states", batch(o, cfg, "negative_prompt_embeds", "prompt_embeds"));
                feeds.put("text_embeds", batch(o, cfg, "negative_pooled_prompt_embeds", "pooled_prompt_embeds"));
                feeds.put("time_ids", tensor(o.get("add_time_ids"), OnnxJavaType.FLOAT, o.get("add_time_ids").shape));
                if (unet.getInputInfo().containsKey("timestep_cond")) {
                    // LCM: the guidance embedding, no CFG batch
                    feeds.put("timestep_cond", tensor(o.get("timestep_cond"), OnnxJavaType.FLOAT,
                            o.get("timestep_cond").shape));
                }
                try (OrtSession.Result r = unet.run(feeds)) {
                    compare(part + ".unet_out_step" + k, r.get("out_sample").get(), o.get("unet_out_step" + k));
                }
            }
            Tensor z = o.get("latent_sample");
            try (OrtSession.Result r = sessions.get("vae_decoder").run(
                    Map.of("latent_sample", tensor(z, OnnxJavaType.FLOAT, z.shape)))) {
                compare(part + ".image", r.get("sample").get(), o.get("image"));
            }
            if (IN.get(part).containsKey("init_image")) {
                Tensor img = IN.get(part).get("init_image");
                try (OrtSession.Result r = sessions.get("vae_encoder").run(
                        Map.of("sample", tensor(img, OnnxJavaType.FLOAT, img.shape)))) {
                    compare(part + ".latent_parameters", r.get("latent_parameters").get(), o.get("latent_parameters"));
                }
            }
        }
        boolean ok = worst < 1e-4;
        System.out.println(ok ? "ONNX Runtime matches PyTorch (worst relative difference " + worst + ")"
                : "MISMATCH (worst relative difference " + worst + ")");
        System.exit(ok ? 0 : 1);
    }

    /** hidden_states[-2] of both encoders side by side = prompt_embeds; text_embeds of text_encoder_2 = pooled. */
    static void checkEncoders(Map<String, OrtSession> s, String part, Map<String, Tensor> o, String side)
            throws Exception {
        float[][] hidden = new float[2][];
        int[] width = new int[2];
        float[] pooled = null;
        String[] graphs = {"text_encoder", "text_encoder_2"};
        String[] ids = {side + "input_ids", side + "input_ids_2"};
        for (int k = 0; k < 2; k++) {
            OrtSession session = s.get(graphs[k]);
            int last = -1;
            for (String name : session.getOutputNames()) {
                if (name.startsWith("hidden_states.")) {
                    last = Math.max(last, Integer.parseInt(name.substring("hidden_states.".length())));
                }
            }
            Tensor t = o.get(ids[k]);
            try (OrtSession.Result r = session.run(Map.of("input_ids",
                    tensor(t, typeOf(session, "input_ids"), t.shape)))) {
                OnnxTensor h = (OnnxTensor) r.get("hidden_states." + (last - 1)).get();
                hidden[k] = floats(h);
                width[k] = (int) h.getInfo().getShape()[2];
                if (k == 1) {
                    pooled = floats((OnnxTensor) r.get("text_embeds").get());
                }
            }
        }
        int n = hidden[0].length / width[0];
        float[] cat = new float[n * (width[0] + width[1])];
        for (int i = 0; i < n; i++) {
            System.arraycopy(hidden[0], i * width[0], cat, i * (width[0] + width[1]), width[0]);
            System.arraycopy(hidden[1], i * width[1], cat, i * (width[0] + width[1]) + width[0], width[1]);
        }
        compare(part + "." + side + "prompt_embeds (ORT encoders)", cat, o.get(side + "prompt_embeds").floats());
        compare(part + "." + side + "pooled_prompt_embeds (ORT encoder 2)", pooled,
                o.get(side + "pooled_prompt_embeds").floats());
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
