import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs the tiny SD3 fixture's six ONNX graphs in ONNX Runtime (the Java binding the engine uses) on the parity inputs
 * of tools/tiny-sd3/reference.py and compares with its PyTorch outputs: first every graph part of manifest.txt (a part
 * named after a graph, or after a graph plus "_suffix", feeds its inputs and compares its outputs), then, for every
 * pipeline case, the three text encoders against prompt_embeds / pooled_prompt_embeds (and the negative ones):
 * hidden_states[-2] of both CLIP encoders side by side, zero-padded to the T5 width, over T5's last_hidden_state (zeros
 * without input_ids_3), text_embeds of both side by side; the transformer's first call (the CFG batch built as
 * [negative; positive]); the decoder on latent_sample; the encoder on init_image.
 *
 * <p>Reuses tools/tiny-sdxl/OrtCheck.java's helpers (compiled together, see build.sh):
 * {@code javac -cp ORT -d DIR tools/tiny-sdxl/OrtCheck.java tools/tiny-sd3/Sd3OrtCheck.java} then
 * {@code java -cp ORT:DIR Sd3OrtCheck src/test/resources/models/tiny-sd3 tools/tiny-sd3/parity}.
 * Exit 1 if any relative difference exceeds 1e-4.
 */
public class Sd3OrtCheck {

    static final List<String> GRAPHS = List.of("text_encoder", "text_encoder_2", "text_encoder_3", "transformer",
            "vae_decoder", "vae_encoder");
    static final Map<String, Map<String, OrtCheck.Tensor>> IN = new LinkedHashMap<>();
    static final Map<String, Map<String, OrtCheck.Tensor>> OUT = new LinkedHashMap<>();
    static final Map<String, OrtSession> SESSIONS = new HashMap<>();

    public static void main(String[] args) throws Exception {
        Path model = Path.of(args[0]);
        Path parity = Path.of(args[1]);
        for (String line : Files.readAllLines(parity.resolve("manifest.txt"))) {
            if (!line.isBlank() && !line.startsWith("#")) {
                String[] f = line.trim().split("\\s+");
                long[] shape = "-".equals(f[4]) ? new long[0]
                        : Arrays.stream(f[4].split(",")).mapToLong(Long::parseLong).toArray();
                var side = "in".equals(f[1]) ? IN : OUT;
                side.computeIfAbsent(f[0], k -> new LinkedHashMap<>())
                        .put(f[2], new OrtCheck.Tensor(f[3], shape, parity.resolve(f[5])));
            }
        }
        OrtCheck.env = OrtEnvironment.getEnvironment();
        for (String g : GRAPHS) {
            OrtSession s = OrtCheck.env.createSession(model.resolve(g).resolve("model.onnx").toString(),
                    new OrtSession.SessionOptions());
            SESSIONS.put(g, s);
            System.out.println(g + ": in " + OrtCheck.describe(s.getInputInfo()) + "; out "
                    + OrtCheck.describe(s.getOutputInfo()));
        }
        for (String part : OUT.keySet()) {
            String graph = graphOf(part);
            if (graph == null) {
                continue;
            }
            OrtSession s = SESSIONS.get(graph);
            Map<String, OnnxTensor> feeds = new HashMap<>();
            for (var e : IN.get(part).entrySet()) {
                feeds.put(e.getKey(), OrtCheck.tensor(e.getValue(), OrtCheck.typeOf(s, e.getKey()), e.getValue().shape()));
            }
            try (OrtSession.Result r = s.run(feeds)) {
                for (var e : OUT.get(part).entrySet()) {
                    OrtCheck.compare(part + "." + e.getKey(), r.get(e.getKey()).get(), e.getValue());
                }
            }
        }
        for (String part : OUT.keySet()) {
            if (graphOf(part) == null) {
                checkCase(part, OUT.get(part), IN.get(part));
            }
        }
        boolean ok = OrtCheck.worst < 1e-4;
        System.out.println(ok ? "ONNX Runtime matches PyTorch (worst relative difference " + OrtCheck.worst + ")"
                : "MISMATCH (worst relative difference " + OrtCheck.worst + ")");
        System.exit(ok ? 0 : 1);
    }

    /** The graph a manifest part exercises: its own name, or the longest graph name it starts with plus "_". */
    static String graphOf(String part) {
        if (SESSIONS.containsKey(part)) {
            return part;
        }
        String best = null;
        for (String g : GRAPHS) {
            if (part.startsWith(g + "_") && (best == null || g.length() > best.length())) {
                best = g;
            }
        }
        return best;
    }

    static void checkCase(String part, Map<String, OrtCheck.Tensor> o, Map<String, OrtCheck.Tensor> in)
            throws Exception {
        checkEncoders(part, o, "");
        boolean cfg = o.containsKey("negative_prompt_embeds");
        if (cfg) {
            checkEncoders(part, o, "negative_");
        }
        OrtSession transformer = SESSIONS.get("transformer");
        OrtCheck.Tensor sample = o.get("latent_model_input_step1");
        OrtCheck.Tensor timestep = o.get("timestep_step1");
        Map<String, OnnxTensor> feeds = new HashMap<>();
        feeds.put("hidden_states", OrtCheck.tensor(sample, OnnxJavaType.FLOAT, sample.shape()));
        feeds.put("encoder_hidden_states", OrtCheck.batch(o, cfg, "negative_prompt_embeds", "prompt_embeds"));
        feeds.put("pooled_projections", OrtCheck.batch(o, cfg, "negative_pooled_prompt_embeds", "pooled_prompt_embeds"));
        feeds.put("timestep", OrtCheck.tensor(timestep, OnnxJavaType.FLOAT, timestep.shape()));
        try (OrtSession.Result r = transformer.run(feeds)) {
            OrtCheck.compare(part + ".transformer_out_step1", r.get("out_hidden_states").get(),
                    o.get("transformer_out_step1"));
        }
        OrtCheck.Tensor z = o.get("latent_sample");
        try (OrtSession.Result r = SESSIONS.get("vae_decoder").run(
                Map.of("latent_sample", OrtCheck.tensor(z, OnnxJavaType.FLOAT, z.shape())))) {
            OrtCheck.compare(part + ".image", r.get("sample").get(), o.get("image"));
        }
        if (in.containsKey("init_image")) {
            OrtCheck.Tensor img = in.get("init_image");
            try (OrtSession.Result r = SESSIONS.get("vae_encoder").run(
                    Map.of("sample", OrtCheck.tensor(img, OnnxJavaType.FLOAT, img.shape())))) {
                OrtCheck.compare(part + ".latent_parameters", r.get("latent_parameters").get(),
                        o.get("latent_parameters"));
            }
        }
    }

    /** Runs one encoder on the case's ids; returns {hidden_states[-2] (or last_hidden_state), text_embeds}. */
    static float[][] encode(String graph, OrtCheck.Tensor ids, boolean clip) throws Exception {
        OrtSession s = SESSIONS.get(graph);
        int last = -1;
        for (String name : s.getOutputNames()) {
            if (name.startsWith("hidden_states.")) {
                last = Math.max(last, Integer.parseInt(name.substring("hidden_states.".length())));
            }
        }
        try (OrtSession.Result r = s.run(Map.of("input_ids", OrtCheck.tensor(ids, OrtCheck.typeOf(s, "input_ids"),
                ids.shape())))) {
            if (!clip) {
                return new float[][] {OrtCheck.floats((OnnxTensor) r.get("last_hidden_state").get())};
            }
            return new float[][] {OrtCheck.floats((OnnxTensor) r.get("hidden_states." + (last - 1)).get()),
                OrtCheck.floats((OnnxTensor) r.get("text_embeds").get())};
        }
    }

    static void checkEncoders(String part, Map<String, OrtCheck.Tensor> o, String side) throws Exception {
        OrtCheck.Tensor want = o.get(side + "prompt_embeds");
        int rows = (int) want.shape()[1];
        int width = (int) want.shape()[2];
        float[][] l = encode("text_encoder", o.get(side + "input_ids"), true);
        float[][] g = encode("text_encoder_2", o.get(side + "input_ids_2"), true);
        int clipRows = (int) o.get(side + "input_ids").shape()[1];
        int wl = l[0].length / clipRows;
        int wg = g[0].length / clipRows;
        float[] t5 = o.containsKey(side + "input_ids_3")
                ? encode("text_encoder_3", o.get(side + "input_ids_3"), false)[0]
                : new float[(rows - clipRows) * width];            // no text_encoder_3: zeros
        float[] embeds = new float[rows * width];
        for (int i = 0; i < clipRows; i++) {
            System.arraycopy(l[0], i * wl, embeds, i * width, wl);
            System.arraycopy(g[0], i * wg, embeds, i * width + wl, wg);
        }
        System.arraycopy(t5, 0, embeds, clipRows * width, t5.length);
        OrtCheck.compare(part + "." + side + "prompt_embeds (ORT encoders)", embeds, want.floats());
        float[] pooled = Arrays.copyOf(l[1], l[1].length + g[1].length);
        System.arraycopy(g[1], 0, pooled, l[1].length, g[1].length);
        OrtCheck.compare(part + "." + side + "pooled_prompt_embeds (ORT encoders)", pooled,
                o.get(side + "pooled_prompt_embeds").floats());
    }
}
