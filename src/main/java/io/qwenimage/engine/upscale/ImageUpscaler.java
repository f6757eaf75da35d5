package io.qwenimage.engine.upscale;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.qwenimage.engine.CancellationToken;
import io.qwenimage.engine.ModelException;
import io.qwenimage.engine.RgbImage;
import io.qwenimage.engine.onnx.SessionFactory;
import io.qwenimage.engine.onnx.Tensors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * One ONNX upscaler: a folder with {@code model.onnx} and an optional {@code config.json} ({@code scale},
 * {@code input}, {@code output}), or a single {@code .onnx} file as Real-ESRGAN and SwinIR exports come. Its input
 * is {@code (1, 3, H, W)} RGB in [0, 1] (float32 or float16, as the graph declares); its scale is the config's, else
 * the graph's static output over input size, else what one small probe run gives. Anything else is refused when it
 * opens, naming the file. {@link #upscale} runs it tile by tile ({@link Tiling}) with blended overlaps.
 */
public final class ImageUpscaler implements AutoCloseable {

    /** The probe's side: small, and a multiple of the windows SwinIR-like models work in. */
    private static final int PROBE = 16;

    private final String name;
    private final Path file;
    private final OrtEnvironment env;
    private final OrtSession session;
    private final String input;
    private final String output;
    private final OnnxJavaType type;
    private final int scale;

    private ImageUpscaler(String name, Path file, OrtEnvironment env, OrtSession session, JsonNode config) {
        this.name = name;
        this.file = file;
        this.env = env;
        this.session = session;
        try {
            Map<String, NodeInfo> inputs = session.getInputInfo();
            Map<String, NodeInfo> outputs = session.getOutputInfo();
            this.input = config.path("input").asText(inputs.keySet().iterator().next());
            this.output = config.path("output").asText(outputs.keySet().iterator().next());
            TensorInfo in = tensor(inputs, input, "input");
            tensor(outputs, output, "output");
            long[] shape = in.getShape();
            if (shape.length != 4 || (shape[1] != 3 && shape[1] != -1)) {
                throw ModelException.of(file, "input '" + input + "' is " + java.util.Arrays.toString(shape)
                        + "; an upscaler takes (1, 3, H, W) RGB");
            }
            this.type = in.type;
            this.scale = config.has("scale") ? config.get("scale").asInt() : probedScale();
        } catch (OrtException e) {
            throw ModelException.of(file, "cannot be read as an upscaler (" + e.getMessage() + ")", e);
        }
        if (scale < 1 || scale > 8) {
            throw ModelException.of(file, "scale " + scale + " is not one of 1 to 8");
        }
    }

    private TensorInfo tensor(Map<String, NodeInfo> infos, String key, String role) {
        NodeInfo info = infos.get(key);
        if (info == null || !(info.getInfo() instanceof TensorInfo t)) {
            throw ModelException.of(file, "has no " + role + " '" + key + "' (it has " + infos.keySet() + ")");
        }
        return t;
    }

    /**
     * Opens {@code path}: a folder holding {@code model.onnx} (and {@code config.json}), or an {@code .onnx} file.
     *
     * @throws ModelException naming the file when it is missing or not an upscaler
     */
    public static ImageUpscaler open(Path path, SessionFactory sessions) {
        Path file = Files.isDirectory(path) ? path.resolve("model.onnx") : path;
        if (!Files.isRegularFile(file)) {
            throw ModelException.of(file, "not found: an upscaler is a folder with model.onnx, or an .onnx file");
        }
        Path configFile = Files.isDirectory(path) ? path.resolve("config.json") : null;
        JsonNode config;
        try {
            config = configFile != null && Files.isRegularFile(configFile)
                    ? new ObjectMapper().readTree(configFile.toFile()) : new ObjectMapper().createObjectNode();
        } catch (IOException e) {
            throw ModelException.of(configFile, "is not valid JSON (" + e.getMessage() + ")", e);
        }
        String name = config.path("name").asText(Files.isDirectory(path) ? path.getFileName().toString()
                : path.getFileName().toString().replaceFirst("\\.onnx$", ""));
        OrtSession session = sessions.open(file);
        try {
            return new ImageUpscaler(name, file, sessions.environment(), session, config);
        } catch (RuntimeException e) {
            try {
                session.close();
            } catch (OrtException closing) {
                e.addSuppressed(closing);
            }
            throw e;
        }
    }

    /** True when {@code folder} looks like an upscaler: a {@code config.json} saying so, or an .onnx file. */
    public static boolean isUpscaler(Path path) {
        if (Files.isRegularFile(path)) {
            return path.getFileName().toString().endsWith(".onnx");
        }
        Path config = path.resolve("config.json");
        try (Stream<String> lines = Files.isRegularFile(config) ? Files.lines(config) : Stream.empty()) {
            return lines.anyMatch(l -> l.contains("\"ImageUpscaler\""));
        } catch (IOException e) {
            return false;
        }
    }

    private int probedScale() throws OrtException {
        float[] zeros = new float[3 * PROBE * PROBE];
        try (OnnxTensor in = Tensors.floats(env, type, zeros, new long[] {1, 3, PROBE, PROBE});
             OrtSession.Result result = Tensors.tracked(session.run(Map.of(input, in), Set.of(output)))) {
            long[] shape = ((OnnxTensor) result.get(output).orElseThrow()).getInfo().getShape();
            if (shape.length != 4 || shape[1] != 3 || shape[2] != shape[3] || shape[2] % PROBE != 0) {
                throw ModelException.of(file, "a " + PROBE + "x" + PROBE + " input gave "
                        + java.util.Arrays.toString(shape) + ": not (1, 3, sH, sW) for a whole scale s; give "
                        + "\"scale\" in config.json if it has one");
            }
            return (int) (shape[2] / PROBE);
        }
    }

    /** The name shown to users (the folder's, or config.json's {@code name}). */
    public String name() {
        return name;
    }

    /** How many times larger each side comes out. */
    public int scale() {
        return scale;
    }

    /** One tile: planar RGB {@code [3][h][w]} in [0, 1] to {@code [3][scale h][scale w]} (not clamped). */
    float[] run(float[] pixels, int h, int w, OrtSession.RunOptions run) throws OrtException {
        try (OnnxTensor in = Tensors.floats(env, type, pixels, new long[] {1, 3, h, w});
             OrtSession.Result result = Tensors.tracked(session.run(Map.of(input, in), Set.of(output), run))) {
            OnnxTensor out = (OnnxTensor) result.get(output).orElseThrow();
            long[] shape = out.getInfo().getShape();
            if (shape.length != 4 || shape[1] != 3 || shape[2] != (long) h * scale || shape[3] != (long) w * scale) {
                throw ModelException.of(file, "a " + w + "x" + h + " tile gave " + java.util.Arrays.toString(shape)
                        + ", not (1, 3, " + h * scale + ", " + w * scale + ")");
            }
            return Tensors.toFloats(out);
        }
    }

    /**
     * {@code image} made {@link #scale()} times larger, tile by tile; the in-flight tile is stopped when
     * {@code cancel} fires (and the run throws {@link io.qwenimage.engine.GenerationCancelledException}).
     */
    public RgbImage upscale(RgbImage image, Tiling tiling, CancellationToken cancel) {
        try (OrtSession.RunOptions run = new OrtSession.RunOptions()) {
            cancel.bind(run);
            try {
                return new TiledUpscale(this, image, tiling).run(run, cancel);
            } finally {
                cancel.bind(null);
            }
        } catch (OrtException e) {
            cancel.throwIfCancelled();
            throw new IllegalStateException(file + ": the upscaler failed (" + e.getMessage() + ")", e);
        }
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            throw new IllegalStateException(e);
        }
    }
}
