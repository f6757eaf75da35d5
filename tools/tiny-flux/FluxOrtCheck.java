import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxJavaType;
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
 * Runs a tiny FLUX.1 fixture's ONNX graphs in ONNX Runtime (the Java binding the engine uses) on the parity inputs of
 * tools/tiny-flux/flux_reference.py and compares with PyTorch. Reuses tools/tiny-sdxl/OrtCheck.java (its Tensor
 * reader, tensor builder and comparison, compiled together with this file).
 *
 * <ol>
 *   <li>every graph part of manifest.txt (part name = a graph folder, or a folder name followed by {@code _...}): each
 *       input fed in the graph's declared type, every output compared;</li>
 *   <li>every pipeline case: CLIP's pooler_output against pooled_prompt_embeds, T5's last_hidden_state against
 *       prompt_embeds (and the negative ones), the transformer's first call ({@code transformer_in_step1},
 *       prompt_embeds, pooled_prompt_embeds, {@code timestep_step1}, img_ids, txt_ids, guidance when the graph takes
 *       it) against transformer_out_step1 and, with true CFG, the negative call against
 *       negative_transformer_out_step1; the decoder on latent_sample; the encoder on init_image.</li>
 * </ol>
 *
 * <p>Usage: {@code javac -d OUT -cp ORT_JAR tools/tiny-sdxl/OrtCheck.java tools/tiny-flux/FluxOrtCheck.java} then
 * {@code java -cp ORT_JAR:OUT FluxOrtCheck MODEL PARITY}. Exit 1 if any relative difference exceeds 1e-4.
 */
public class FluxOrtCheck {
    static final List<String> GRAPHS = List.of("text_encoder", "text_encoder_2", "transformer", "vae_decoder",
            "vae_encoder");

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
            (f[1].equals("in") ? OrtCheck.IN : OrtCheck.OUT).computeIfAbsent(f[0], k -> new LinkedHashMap<>())
                    .put(f[2], new OrtCheck.Tensor(f[3], shape, parity.resolve(f[5])));
        }
        OrtCheck.env = OrtEnvironment.getEnvironment();
        Map<String, OrtSession> s = new HashMap<>();
        for (String g : GRAPHS) {
            OrtSession session = OrtCheck.env.createSession(model.resolve(g).resolve("model.onnx").toString(),
                    new OrtSession.SessionOptions());
            s.put(g, session);
            System.out.println(g + ": in " + OrtCheck.describe(session.getInputInfo()) + "; out "
                    + OrtCheck.describe(session.getOutputInfo()));
        }
        for (String part : OrtCheck.OUT.keySet()) {
            String graph = graphOf(part);
            if (graph == null) {
                continue;
            }
            OrtSession session = s.get(graph);
            Map<String, OnnxTensor> feeds = new HashMap<>();
            for (var e : OrtCheck.IN.get(part).entrySet()) {
                feeds.put(e.getKey(), OrtCheck.tensor(e.getValue(), OrtCheck.typeOf(session, e.getKey()),
                        e.getValue().shape()));
            }
            try (OrtSession.Result r = session.run(feeds)) {
                for (var e : OrtCheck.OUT.get(part).entrySet()) {
                    OrtCheck.compare(part + "." + e.getKey(), r.get(e.getKey()).get(), e.getValue());
                }
            }
        }
        for (String part : OrtCheck.OUT.keySet()) {
            if (graphOf(part) == null) {
                checkCase(s, part, OrtCheck.IN.getOrDefault(part, Map.of()), OrtCheck.OUT.get(part));
            }
        }
        boolean ok = OrtCheck.worst < 1e-4;
        System.out.println(ok ? "ONNX Runtime matches PyTorch (worst relative difference " + OrtCheck.worst + ")"
                : "MISMATCH (worst relative difference " + OrtCheck.worst + ")");
        System.exit(ok ? 0 : 1);
    }

    /** The graph a graph part runs: its own name, or the longest graph name it starts with followed by '_'. */
    static String graphOf(String part) {
        if (GRAPHS.contains(part)) {
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

    static OnnxTensor feed(OrtSession session, String input, OrtCheck.Tensor t) throws Exception {
        return OrtCheck.tensor(t, OrtCheck.typeOf(session, input), t.shape());
    }

    static void checkCase(Map<String, OrtSession> s, String part, Map<String, OrtCheck.Tensor> in,
                          Map<String, OrtCheck.Tensor> o) throws Exception {
        for (String side : o.containsKey("negative_input_ids") ? List.of("", "negative_") : List.of("")) {
            try (OrtSession.Result r = s.get("text_encoder").run(
                    Map.of("input_ids", feed(s.get("text_encoder"), "input_ids", o.get(side + "input_ids"))))) {
                OrtCheck.compare(part + "." + side + "pooled_prompt_embeds (ORT CLIP pooler_output)",
                        r.get("pooler_output").get(), o.get(side + "pooled_prompt_embeds"));
            }
            try (OrtSession.Result r = s.get("text_encoder_2").run(
                    Map.of("input_ids", feed(s.get("text_encoder_2"), "input_ids", o.get(side + "input_ids_2"))))) {
                OrtCheck.compare(part + "." + side + "prompt_embeds (ORT T5)", r.get("last_hidden_state").get(),
                        o.get(side + "prompt_embeds"));
            }
        }
        OrtSession tr = s.get("transformer");
        for (String side : o.containsKey("negative_transformer_out_step1") ? List.of("", "negative_") : List.of("")) {
            Map<String, OnnxTensor> feeds = new HashMap<>();
            feeds.put("hidden_states", feed(tr, "hidden_states", o.get("transformer_in_step1")));
            feeds.put("encoder_hidden_states", feed(tr, "encoder_hidden_states", o.get(side + "prompt_embeds")));
            feeds.put("pooled_projections", feed(tr, "pooled_projections", o.get(side + "pooled_prompt_embeds")));
            feeds.put("timestep", feed(tr, "timestep", o.get("timestep_step1")));
            feeds.put("img_ids", feed(tr, "img_ids", o.get("img_ids")));
            feeds.put("txt_ids", feed(tr, "txt_ids", o.get("txt_ids")));
            if (tr.getInputInfo().containsKey("guidance")) {
                feeds.put("guidance", feed(tr, "guidance", o.get("guidance")));
            }
            try (OrtSession.Result r = tr.run(feeds)) {
                OrtCheck.compare(part + "." + side + "transformer_out_step1", r.get("out_hidden_states").get(),
                        o.get(side + "transformer_out_step1"));
            }
        }
        OrtCheck.Tensor z = o.get("latent_sample");
        try (OrtSession.Result r = s.get("vae_decoder").run(
                Map.of("latent_sample", OrtCheck.tensor(z, OnnxJavaType.FLOAT, z.shape())))) {
            OrtCheck.compare(part + ".image", r.get("sample").get(), o.get("image"));
        }
        if (in.containsKey("init_image")) {
            OrtCheck.Tensor img = in.get("init_image");
            try (OrtSession.Result r = s.get("vae_encoder").run(
                    Map.of("sample", OrtCheck.tensor(img, OnnxJavaType.FLOAT, img.shape())))) {
                OrtCheck.compare(part + ".latent_parameters", r.get("latent_parameters").get(),
                        o.get("latent_parameters"));
            }
        }
    }
}
