package io.qwenimage.engine.model;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.qwenimage.engine.ModelException;
import io.qwenimage.engine.onnx.InjectedNoiseGraph;
import io.qwenimage.engine.onnx.SessionFactory;
import io.qwenimage.engine.onnx.Tensors;
import java.io.IOException;
import java.nio.file.Files;
import java.util.function.Consumer;
import java.util.logging.Logger;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

/**
 * The VAE encoder graph: pixels [1, 3, H, W] in [-1, 1] to unscaled latents [1, C, H/8, W/8] (C: 4, or 16 for
 * SD3 and FLUX). Handles both
 * outputs exporters produce: {@code latent_parameters} (mean || log-variance; sampled here as diffusers'
 * img2img does) and {@code latent_sample} (sampled inside the graph: its random node is rewritten at load into an
 * input, {@link InjectedNoiseGraph}, so that the request's seeded noise is the noise used).
 */
public final class VaeEncoderStage implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(VaeEncoderStage.class.getName());

    private final OrtEnvironment env;
    private final OrtSession session;
    private final OnnxJavaType type;
    private final String output;
    private final OnnxJavaType noiseType;     // null: the graph takes no noise
    private final int channels;

    /**
     * Opens {@code file}; a graph that samples with its own unseeded random node is opened rewritten to take the
     * noise as an input (one that cannot be rewritten is opened as it is, with a warning: its image-to-image is
     * then not reproducible).
     */
    static VaeEncoderStage open(SessionFactory sessions, Path file, Consumer<AutoCloseable> opened) {
        return open(sessions, file, opened, 4);
    }

    /** {@link #open(SessionFactory, Path, Consumer)} for a VAE of {@code channels} latent channels. */
    static VaeEncoderStage open(SessionFactory sessions, Path file, Consumer<AutoCloseable> opened, int channels) {
        byte[] graph = null;
        try {
            InjectedNoiseGraph.Outcome outcome = InjectedNoiseGraph.rewrite(Files.readAllBytes(file));
            if (outcome instanceof InjectedNoiseGraph.Rewritten r) {
                graph = r.model();
            } else if (outcome instanceof InjectedNoiseGraph.NotRewritable n) {
                LOG.warning(file + " samples its latent with its own random noise and cannot take the request's "
                        + "seeded noise instead (" + n.reason() + "): image-to-image with it is not reproducible");
            }
        } catch (IOException e) {
            throw ModelException.of(file, "cannot be read (" + e.getMessage() + ")", e);
        }
        OrtSession session = sessions.open(file, graph);
        opened.accept(session);
        return new VaeEncoderStage(sessions.environment(), session, file, channels);
    }

    VaeEncoderStage(OrtEnvironment env, OrtSession session, Path file) {
        this(env, session, file, 4);
    }

    VaeEncoderStage(OrtEnvironment env, OrtSession session, Path file, int channels) {
        this.env = env;
        this.channels = channels;
        this.session = session;
        Map<String, NodeInfo> inputs = Signatures.inputs(session, file);
        this.type = Signatures.require(inputs, "sample", file, "input").type;
        this.noiseType = inputs.containsKey(InjectedNoiseGraph.INPUT)
                ? ((ai.onnxruntime.TensorInfo) inputs.get(InjectedNoiseGraph.INPUT).getInfo()).type : null;
        Map<String, NodeInfo> outputs = Signatures.outputs(session, file);
        this.output = outputs.containsKey("latent_parameters") ? "latent_parameters"
                : outputs.containsKey("latent_sample") ? "latent_sample" : outputs.keySet().iterator().next();
    }

    /** Name of the output in use: latent_parameters or latent_sample. */
    public String outputName() {
        return output;
    }

    /**
     * @param noise N(0,1) values for sampling the latent distribution (length C x H/8 x W/8)
     */
    public float[] encode(float[] pixels, int height, int width, float[] noise, OrtSession.RunOptions run)
            throws OrtException {
        try (OnnxTensor in = Tensors.floats(env, type, pixels, new long[] {1, 3, height, width});
             OnnxTensor eps = noiseType == null ? null
                     : Tensors.floats(env, noiseType, noise, new long[] {1, channels, height / 8, width / 8});
             OrtSession.Result result = Tensors.tracked(session.run(eps == null ? Map.of("sample", in)
                     : Map.of("sample", in, InjectedNoiseGraph.INPUT, eps), Set.of(output), run))) {
            OnnxTensor out = (OnnxTensor) result.get(output).orElseThrow();
            float[] values = Tensors.toFloats(out);
            int given = (int) out.getInfo().getShape()[1];
            if (given == channels) {
                return values;
            }
            if (given != 2 * channels) {
                throw new IllegalStateException("the VAE encoder gave " + given + " channels; its config says "
                        + channels + " latent channels (" + 2 * channels + " as mean and log-variance)");
            }
            int plane = values.length / given;
            float[] latent = new float[channels * plane];
            for (int i = 0; i < latent.length; i++) {
                double logvar = Math.max(-30, Math.min(20, values[channels * plane + i]));
                latent[i] = (float) (values[i] + Math.exp(0.5 * logvar) * noise[i]);
            }
            return latent;
        }
    }

    /** True when the graph samples its latent with noise given by the engine (a rewritten latent_sample export). */
    public boolean takesNoise() {
        return noiseType != null;
    }

    @Override
    public void close() throws OrtException {
        session.close();
    }
}
